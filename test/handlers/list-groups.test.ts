import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { findCoordinator, joinWithId, syncGroup, commit, GROUP_API } from '../coordinator/group-helpers.js'

t.test('ListGroups at every version, with state (v4+) and type (v5+) filters', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't' })
  await findCoordinator(c, 'g')
  const j = await joinWithId(c, 'stable')
  await syncGroup(c, 'stable', j.generationId, j.memberId)
  await commit(c, 'simple', 't', [{ partitionIndex: 0, committedOffset: 1n }])
  for (let v = 0; v <= 5; v++) {
    const r = await c.request(GROUP_API.ListGroups, v, { statesFilter: [], typesFilter: [] })
    t.equal(r.errorCode, 0)
    const byId = Object.fromEntries(r.groups.map((g: any) => [g.groupId, g]))
    t.same(Object.keys(byId).sort(), ['simple', 'stable'], `v${v}`)
    t.equal(byId.stable.protocolType, 'consumer')
    t.equal(byId.simple.protocolType, '')
    t.equal(byId.stable.groupState, v >= 4 ? 'Stable' : '')
    t.equal(byId.stable.groupType, v >= 5 ? 'classic' : '')
  }
  const stable = await c.request(GROUP_API.ListGroups, 4, { statesFilter: ['STABLE'] })
  t.same(stable.groups.map((g: any) => g.groupId), ['stable'])
  const empty = await c.request(GROUP_API.ListGroups, 5, { statesFilter: ['empty'], typesFilter: ['Classic'] })
  t.same(empty.groups.map((g: any) => g.groupId), ['simple'])
  const consumer = await c.request(GROUP_API.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] })
  t.same(consumer.groups, [])
})
