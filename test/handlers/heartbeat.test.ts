import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { findCoordinator, joinWithId, syncGroup, GROUP_API } from '../coordinator/group-helpers.js'

t.test('Heartbeat at every version, with its errors', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await findCoordinator(c, 'g')
  const j = await joinWithId(c, 'g')
  const hb = (v: number, o: object = {}): Promise<any> => c.request(GROUP_API.Heartbeat, v, { groupId: 'g', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, ...o })
  t.equal((await hb(4)).errorCode, 0, 'CompletingRebalance heartbeats are accepted')
  await syncGroup(c, 'g', j.generationId, j.memberId)
  for (let v = 0; v <= 4; v++) t.equal((await hb(v)).errorCode, 0, `v${v}`)
  t.equal((await hb(4, { generationId: 99 })).errorCode, 22)
  t.equal((await hb(4, { memberId: 'x' })).errorCode, 25)
  t.equal((await hb(4, { groupInstanceId: 'i' })).errorCode, 25)
  t.equal((await hb(4, { groupId: '' })).errorCode, 24)
  t.equal((await hb(4, { groupId: 'other' })).errorCode, 25)
})
