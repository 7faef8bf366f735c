import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { findCoordinator, joinGroup, joinWithId, syncGroup, GROUP_API } from '../coordinator/group-helpers.js'

t.test('LeaveGroup v0-2 (one member) and v3-5 (batch, by instance id)', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '200' } })
  const c = await b.client()
  await findCoordinator(c, 'g')
  for (let v = 0; v <= 2; v++) {
    const j = await joinWithId(c, `old${v}`)
    await syncGroup(c, `old${v}`, j.generationId, j.memberId)
    t.equal((await c.request(GROUP_API.LeaveGroup, v, { groupId: `old${v}`, memberId: j.memberId })).errorCode, 0, `v${v}`)
    t.equal((await c.request(GROUP_API.LeaveGroup, v, { groupId: `old${v}`, memberId: j.memberId })).errorCode, 25, `v${v} again`)
  }
  for (let v = 3; v <= 5; v++) {
    // Both join within the initial rebalance delay, so one generation holds them both.
    const id = (await joinGroup(c, `new${v}`)).memberId
    const [j, s] = await Promise.all([joinGroup(c, `new${v}`, { memberId: id }), joinGroup(c, `new${v}`, { groupInstanceId: 'static-1' })])
    t.same([j.errorCode, s.errorCode, j.generationId], [0, 0, 1])
    const r = await c.request(GROUP_API.LeaveGroup, v, { groupId: `new${v}`, members: [{ memberId: j.memberId, groupInstanceId: null, reason: 'bye' }, { memberId: '', groupInstanceId: 'static-1', reason: null }, { memberId: 'ghost', groupInstanceId: null, reason: null }] })
    t.equal(r.errorCode, 0)
    t.same(r.members.map((m: any) => m.errorCode), [0, 0, 25], `v${v}`)
  }
  t.equal((await c.request(GROUP_API.LeaveGroup, 5, { groupId: '', members: [] })).errorCode, 24)
})
