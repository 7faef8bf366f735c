import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { findCoordinator, joinWithId, commit, fetchOffsets, GROUP_API } from '../coordinator/group-helpers.js'

t.test('DeleteGroups at every version: empty groups go with their offsets; others get their error', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't' })
  await findCoordinator(c, 'g')
  await joinWithId(c, 'busy')
  for (let v = 0; v <= 2; v++) {
    await commit(c, `idle${v}`, 't', [{ partitionIndex: 0, committedOffset: 3n }])
    const r = await c.request(GROUP_API.DeleteGroups, v, { groupsNames: [`idle${v}`, 'busy', 'missing', ''] })
    t.same(r.results.map((x: any) => [x.groupId, x.errorCode]), [[`idle${v}`, 0], ['busy', 68], ['missing', 69], ['', 24]], `v${v}`)
    t.same((await fetchOffsets(c, `idle${v}`, null, 7)).topics, [])
  }
})
