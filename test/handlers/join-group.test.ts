import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { findCoordinator, joinGroup, joinWithId, syncGroup, GROUP_API, subscription } from '../coordinator/group-helpers.js'

t.test('JoinGroup at every version: one member becomes leader of generation 1', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await findCoordinator(c, 'g0')
  for (let v = 0; v <= 9; v++) {
    const group = `g-v${v}`
    const first = await joinGroup(c, group, { version: v, groupInstanceId: null })
    const r = v >= 4 ? await joinGroup(c, group, { version: v, memberId: first.memberId }) : first
    if (v >= 4) t.equal(first.errorCode, 79, `v${v} MEMBER_ID_REQUIRED`)
    t.equal(r.errorCode, 0, `v${v}`)
    t.equal(r.generationId, 1)
    t.equal(r.leader, r.memberId)
    t.equal(r.protocolName, 'range')
    t.equal(r.protocolType, v >= 7 ? 'consumer' : null)
    t.equal(r.members.length, 1)
    t.same(r.members[0].metadata, subscription(['t']))
  }
})

t.test('JoinGroup errors over the wire', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await findCoordinator(c, 'g')
  t.equal((await joinGroup(c, '')).errorCode, 24)
  t.equal((await joinGroup(c, 'g', { sessionTimeoutMs: 100 })).errorCode, 26)
  t.equal((await joinGroup(c, 'g', { memberId: 'who' })).errorCode, 69)
  const ok = await joinWithId(c, 'g')
  t.equal(ok.errorCode, 0)
  t.equal((await joinGroup(c, 'g', { protocols: [{ name: 'other', metadata: Buffer.alloc(0) }] })).errorCode, 23)
  t.equal((await joinGroup(c, 'g', { groupInstanceId: 'i', memberId: 'bogus' })).errorCode, 25)
})

t.test('two members over two connections: the second join rebalances, both get generation 2, the leader assigns', async t => {
  const b = await startTestBroker(t)
  const c1 = await b.client()
  const c2 = await b.client()
  await findCoordinator(c1, 'g')
  const a = await joinWithId(c1, 'g')
  await syncGroup(c1, 'g', 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('all') }])
  const pending = joinWithId(c2, 'g')
  await new Promise(resolve => setTimeout(resolve, 20))
  const hb = await c1.request(GROUP_API.Heartbeat, 4, { groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })
  t.equal(hb.errorCode, 27, 'REBALANCE_IN_PROGRESS tells the first member to rejoin')
  const [ra, rb] = await Promise.all([joinGroup(c1, 'g', { memberId: a.memberId }), pending])
  t.equal(ra.generationId, 2)
  t.equal(rb.generationId, 2)
  const leader = ra.leader === ra.memberId ? ra : rb
  t.equal(leader.members.length, 2)
  const followerSync = syncGroup(leader === ra ? c2 : c1, 'g', 2, (leader === ra ? rb : ra).memberId)
  const leaderSync = syncGroup(leader === ra ? c1 : c2, 'g', 2, leader.memberId, [{ memberId: ra.memberId, assignment: Buffer.from('A') }, { memberId: rb.memberId, assignment: Buffer.from('B') }])
  const [fs, ls] = await Promise.all([followerSync, leaderSync])
  t.equal(fs.errorCode, 0)
  t.equal(ls.errorCode, 0)
  t.same([fs.assignment.toString(), ls.assignment.toString()].sort(), ['A', 'B'])
})

t.test('a parked JoinGroup is answered NOT_COORDINATOR when the broker stops', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '60000' } })
  const c = await b.client()
  await findCoordinator(c, 'g')
  const first = await joinGroup(c, 'g')
  const parked = joinGroup(c, 'g', { memberId: first.memberId })
  await new Promise(resolve => setTimeout(resolve, 20))
  const stopping = b.running.stop()
  t.equal((await parked).errorCode, 16)
  await stopping
})
