import t from 'tap'
import { openHarness, joinReq, track, type Harness } from './harness.js'
import { settle } from './manual-clock.js'
import { subscription } from './group-helpers.js'
import type { JoinRequest } from '../../src/coordinator/group-coordinator.js'

const E = {
  NONE: 0, UNKNOWN_TOPIC_OR_PARTITION: 3, COORDINATOR_LOAD_IN_PROGRESS: 14, NOT_COORDINATOR: 16, ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23, UNKNOWN_MEMBER_ID: 25, INVALID_SESSION_TIMEOUT: 26, REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68, GROUP_ID_NOT_FOUND: 69, MEMBER_ID_REQUIRED: 79, GROUP_MAX_SIZE_REACHED: 81, FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86
}

/** The KIP-394 dance: get a member id, then join with it (the second answer is returned parked). */
async function joinDynamic (h: Harness, groupId: string, o: Partial<JoinRequest> = {}): Promise<ReturnType<typeof track<any>>> {
  const first = await h.groups.join(joinReq(groupId, o))
  if (first.errorCode !== E.MEMBER_ID_REQUIRED) throw new Error(`expected MEMBER_ID_REQUIRED, got ${first.errorCode}`)
  return track(h.groups.join(joinReq(groupId, { ...o, memberId: first.memberId })))
}

/** Brings a group of `n` dynamic members to Stable; returns their member ids (leader first). */
async function stableGroup (h: Harness, groupId: string, n: number, o: Partial<JoinRequest> = {}): Promise<{ ids: string[], generation: number }> {
  const joins = []
  for (let i = 0; i < n; i++) joins.push(await joinDynamic(h, groupId, o))
  h.clock.advance(0)
  const results = await Promise.all(joins.map(j => j.promise))
  const leader = results.find(r => r.memberId === r.leader)!
  const syncs = results.map(r => h.groups.sync({ groupId, generationId: r.generationId, memberId: r.memberId, groupInstanceId: o.groupInstanceId ?? null, protocolType: null, protocolName: null, assignments: r === leader ? results.map(x => ({ memberId: x.memberId, assignment: Buffer.from(`a-${x.memberId}`) })) : [] }))
  await Promise.all(syncs)
  return { ids: [leader.memberId, ...results.filter(r => r !== leader).map(r => r.memberId)], generation: leader.generationId }
}

t.test('a new group waits group.initial.rebalance.delay.ms, then the leader gets the members and SyncGroup stabilises it', async t => {
  const h = await openHarness(t, { 'group.initial.rebalance.delay.ms': '3000' })
  const first = await h.groups.join(joinReq('g'))
  t.equal(first.errorCode, E.MEMBER_ID_REQUIRED)
  t.match(first.memberId, /^client-[0-9a-f-]{36}$/)
  const j = track(h.groups.join(joinReq('g', { memberId: first.memberId })))
  h.clock.advance(2999)
  await settle()
  t.equal(j.done(), false, 'parked during the initial delay')
  t.equal(h.groups.groups.get('g')!.state, 'PreparingRebalance')
  h.clock.advance(1)
  const r = await j.promise
  t.equal(r.errorCode, 0)
  t.equal(r.generationId, 1)
  t.equal(r.protocolName, 'range')
  t.equal(r.protocolType, 'consumer')
  t.equal(r.leader, first.memberId)
  t.same(r.members.map((m: any) => m.memberId), [first.memberId])
  t.equal(h.groups.groups.get('g')!.state, 'CompletingRebalance')
  const s = await h.groups.sync({ groupId: 'g', generationId: 1, memberId: r.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: r.memberId, assignment: Buffer.from('A') }] })
  t.equal(s.errorCode, 0)
  t.equal(s.assignment.toString(), 'A')
  t.equal(s.protocolName, 'range')
  t.equal(h.groups.groups.get('g')!.state, 'Stable')
})

t.test('members joining during the initial delay extend it, up to the rebalance timeout', async t => {
  const h = await openHarness(t, { 'group.initial.rebalance.delay.ms': '3000' })
  const a = await joinDynamic(h, 'g', { rebalanceTimeoutMs: 7000 })
  h.clock.advance(2000)
  const b = await joinDynamic(h, 'g', { rebalanceTimeoutMs: 7000 })
  h.clock.advance(1000)
  await settle()
  t.equal(a.done(), false, 'a new member arrived: delay extended')
  h.clock.advance(2000)
  await settle()
  t.equal(a.done(), false)
  const c = await joinDynamic(h, 'g', { rebalanceTimeoutMs: 7000 })
  h.clock.advance(1000)
  await settle()
  t.equal(a.done(), false, 'extended again, by what is left of the rebalance timeout')
  h.clock.advance(999)
  await settle()
  t.equal(a.done(), false)
  h.clock.advance(1)
  await settle()
  t.equal(a.done(), true, 'completes at the rebalance timeout')
  t.same([a.value().errorCode, b.value().errorCode, c.value().errorCode], [0, 0, 0])
  t.equal(a.value().members.length, 3)
})

t.test('the protocol is chosen by vote among protocols every member supports; others are inconsistent', async t => {
  const h = await openHarness(t)
  const p = (...names: string[]): { name: string, metadata: Buffer }[] => names.map(name => ({ name, metadata: Buffer.from(name) }))
  const a = await joinDynamic(h, 'g', { protocols: p('range', 'roundrobin') })
  const b = await joinDynamic(h, 'g', { protocols: p('roundrobin', 'range') })
  const c = await joinDynamic(h, 'g', { protocols: p('roundrobin', 'sticky', 'range') })
  t.equal((await h.groups.join(joinReq('g', { protocols: p('sticky') }))).errorCode, E.INCONSISTENT_GROUP_PROTOCOL)
  t.equal((await h.groups.join(joinReq('g', { protocolType: 'connect', protocols: p('range') }))).errorCode, E.INCONSISTENT_GROUP_PROTOCOL)
  h.clock.advance(0)
  const [ra] = await Promise.all([a.promise, b.promise, c.promise])
  t.equal(ra.protocolName, 'roundrobin')
  const leader = [a, b, c].map(x => x.value()).find(r => r.leader === r.memberId)!
  t.same(leader.members.map((m: any) => m.metadata.toString()), ['roundrobin', 'roundrobin', 'roundrobin'])
  t.equal((await h.groups.join(joinReq('empty-type', { protocolType: '' }))).errorCode, E.INCONSISTENT_GROUP_PROTOCOL)
})

t.test('session timeouts outside group.min/max.session.timeout.ms and a full group are refused', async t => {
  const h = await openHarness(t, { 'group.max.size': '1' })
  t.equal((await h.groups.join(joinReq('g', { sessionTimeoutMs: 5999 }))).errorCode, E.INVALID_SESSION_TIMEOUT)
  t.equal((await h.groups.join(joinReq('g', { sessionTimeoutMs: 1800001 }))).errorCode, E.INVALID_SESSION_TIMEOUT)
  await stableGroup(h, 'g', 1)
  const full = await h.groups.join(joinReq('g'))
  t.equal(full.errorCode, E.GROUP_MAX_SIZE_REACHED)
  t.equal(full.memberId, '')
  t.equal((await h.groups.join(joinReq('nope', { memberId: 'm' }))).errorCode, E.GROUP_ID_NOT_FOUND)
})

t.test('v0-3 joins add the member at once; a rejoin in Stable with the same metadata returns the current generation', async t => {
  const h = await openHarness(t)
  const j = track(h.groups.join(joinReq('g', { apiVersion: 3 })))
  h.clock.advance(0)
  const r = await j.promise
  t.equal(r.errorCode, 0)
  await h.groups.sync({ groupId: 'g', generationId: r.generationId, memberId: r.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
  const b = track(h.groups.join(joinReq('g', { apiVersion: 3 })))
  const again = track(h.groups.join(joinReq('g', { memberId: r.memberId, apiVersion: 3 })))
  h.clock.advance(0)
  t.equal((await again.promise).generationId, 2, 'the leader rejoining forces a rebalance')
  const rb = await b.promise
  t.equal(rb.generationId, 2)
  const leader = (await again.promise).memberId === rb.leader ? again.value() : rb
  const follower = leader === rb ? again.value() : rb
  await Promise.all([
    h.groups.sync({ groupId: 'g', generationId: 2, memberId: leader.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }),
    h.groups.sync({ groupId: 'g', generationId: 2, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
  ])
  const same = await h.groups.join(joinReq('g', { memberId: follower.memberId, apiVersion: 3 }))
  t.equal(same.generationId, 2, 'follower with unchanged metadata: no rebalance')
  t.same(same.members, [])
  t.equal(h.groups.groups.get('g')!.state, 'Stable')
})

t.test('a new member triggers a rebalance; heartbeats say REBALANCE_IN_PROGRESS; the join completes when all rejoined', async t => {
  const h = await openHarness(t)
  const { ids, generation } = await stableGroup(h, 'g', 2)
  t.equal(h.groups.heartbeat('g', ids[1]!, null, generation), E.NONE)
  const c = await joinDynamic(h, 'g')
  t.equal(h.groups.groups.get('g')!.state, 'PreparingRebalance')
  t.equal(h.groups.heartbeat('g', ids[0]!, null, generation), E.REBALANCE_IN_PROGRESS)
  t.equal((await h.groups.sync({ groupId: 'g', generationId: generation, memberId: ids[0]!, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, E.REBALANCE_IN_PROGRESS)
  const a = track(h.groups.join(joinReq('g', { memberId: ids[0]! })))
  await settle()
  t.equal(c.done(), false)
  const b = track(h.groups.join(joinReq('g', { memberId: ids[1]! })))
  await settle()
  t.equal(c.done(), true, 'completes as soon as every member rejoined (not the initial rebalance)')
  t.equal(a.value().generationId, generation + 1)
  t.equal(b.value().errorCode, 0)
})

t.test('members that do not rejoin within the rebalance timeout are removed', async t => {
  const h = await openHarness(t)
  const { ids, generation } = await stableGroup(h, 'g', 2, { rebalanceTimeoutMs: 20000 })
  const a = track(h.groups.join(joinReq('g', { memberId: ids[0]!, rebalanceTimeoutMs: 20000, protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] })))
  for (let i = 0; i < 4; i++) { h.clock.advance(4999); t.equal(h.groups.heartbeat('g', ids[1]!, null, generation), E.REBALANCE_IN_PROGRESS) }
  await settle()
  t.equal(a.done(), false)
  h.clock.advance(10)
  const r = await a.promise
  t.equal(r.generationId, generation + 1)
  t.same(r.members.map((m: any) => m.memberId), [ids[0]])
  t.equal(h.groups.heartbeat('g', ids[1]!, null, generation), E.UNKNOWN_MEMBER_ID)
})

t.test('a member that stops heartbeating expires after its session timeout and the others rebalance without it', async t => {
  const h = await openHarness(t)
  const { ids, generation } = await stableGroup(h, 'g', 2)
  for (let i = 0; i < 3; i++) { h.clock.advance(3000); t.equal(h.groups.heartbeat('g', ids[0]!, null, generation), E.NONE) }
  t.equal(h.groups.groups.get('g')!.state, 'Stable')
  h.clock.advance(1000)
  t.equal(h.groups.groups.get('g')!.state, 'PreparingRebalance', 'the silent member expired at 10s')
  t.equal(h.groups.groups.get('g')!.members.has(ids[1]!), false)
  t.equal(h.groups.heartbeat('g', ids[0]!, null, generation), E.REBALANCE_IN_PROGRESS)
  const r = await h.groups.join(joinReq('g', { memberId: ids[0]! }))
  t.equal(r.generationId, generation + 1)
  t.same(r.members.map((m: any) => m.memberId), [ids[0]])
})

t.test('a pending member (MEMBER_ID_REQUIRED) that never rejoins expires after its session timeout', async t => {
  const h = await openHarness(t)
  const first = await h.groups.join(joinReq('g'))
  t.equal(h.groups.groups.get('g')!.pendingJoinMembers.has(first.memberId), true)
  h.clock.advance(10000)
  t.equal(h.groups.groups.get('g')!.pendingJoinMembers.has(first.memberId), false)
})

t.test('heartbeat and sync validation: unknown member, illegal generation, inconsistent protocol, unknown group', async t => {
  const h = await openHarness(t)
  const { ids, generation } = await stableGroup(h, 'g', 1)
  t.equal(h.groups.heartbeat('g', 'nobody', null, generation), E.UNKNOWN_MEMBER_ID)
  t.equal(h.groups.heartbeat('g', ids[0]!, null, generation + 1), E.ILLEGAL_GENERATION)
  t.equal(h.groups.heartbeat('unknown', 'm', null, 1), E.UNKNOWN_MEMBER_ID)
  const sync = (o: object): Promise<any> => h.groups.sync({ groupId: 'g', generationId: generation, memberId: ids[0]!, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [], ...o })
  t.equal((await sync({ generationId: 9 })).errorCode, E.ILLEGAL_GENERATION)
  t.equal((await sync({ protocolName: 'roundrobin' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL)
  t.equal((await sync({ protocolType: 'connect' })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL)
  t.equal((await sync({ memberId: 'x' })).errorCode, E.UNKNOWN_MEMBER_ID)
  const ok = await sync({})
  t.equal(ok.errorCode, 0)
  t.equal(ok.assignment.toString(), `a-${ids[0]}`, 'Stable: the current assignment')
  t.equal((await h.groups.sync({ groupId: 'nope', generationId: 1, memberId: 'm', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })).errorCode, E.UNKNOWN_MEMBER_ID)
})

t.test('a member that does not send SyncGroup within the rebalance timeout is removed and the group rebalances', async t => {
  const h = await openHarness(t)
  const a = await joinDynamic(h, 'g', { rebalanceTimeoutMs: 15000 })
  const b = await joinDynamic(h, 'g', { rebalanceTimeoutMs: 15000 })
  h.clock.advance(0)
  const [ra, rb] = await Promise.all([a.promise, b.promise])
  const leader = ra.leader === ra.memberId ? ra : rb
  const follower = leader === ra ? rb : ra
  const parked = track(h.groups.sync({ groupId: 'g', generationId: follower.generationId, memberId: follower.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] }))
  h.clock.advance(15000)
  await settle()
  t.equal(h.groups.groups.get('g')!.members.has(leader.memberId), false, 'the leader never synced')
  t.equal(parked.value().errorCode, E.REBALANCE_IN_PROGRESS, 'the parked follower is told to rejoin')
  t.equal(h.groups.groups.get('g')!.state, 'PreparingRebalance')
})

t.test('static members rejoin without a rebalance and fence their previous member id', async t => {
  const h = await openHarness(t)
  const j = track(h.groups.join(joinReq('g', { groupInstanceId: 'i1' })))
  h.clock.advance(0)
  const r = await j.promise
  t.equal(r.errorCode, 0, 'static members need no MEMBER_ID_REQUIRED round')
  t.match(r.memberId, /^i1-/)
  await h.groups.sync({ groupId: 'g', generationId: 1, memberId: r.memberId, groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: [{ memberId: r.memberId, assignment: Buffer.from('A') }] })
  const again = await h.groups.join(joinReq('g', { groupInstanceId: 'i1' }))
  t.equal(again.errorCode, 0)
  t.equal(again.generationId, 1, 'same generation: no rebalance')
  t.not(again.memberId, r.memberId)
  t.equal(again.skipAssignment, true, 'v9 leader is told to skip the assignment')
  t.equal(h.groups.groups.get('g')!.state, 'Stable')
  t.equal(h.groups.heartbeat('g', r.memberId, 'i1', 1), E.FENCED_INSTANCE_ID)
  t.equal(h.groups.heartbeat('g', again.memberId, 'i1', 1), E.NONE)
  const s = await h.groups.sync({ groupId: 'g', generationId: 1, memberId: again.memberId, groupInstanceId: 'i1', protocolType: null, protocolName: null, assignments: [] })
  t.equal(s.assignment.toString(), 'A', 'the assignment moved to the new member id')
  t.equal((await h.groups.join(joinReq('g', { groupInstanceId: 'i1', memberId: r.memberId }))).errorCode, E.FENCED_INSTANCE_ID)
  const changed = track(h.groups.join(joinReq('g', { groupInstanceId: 'i1', protocols: [{ name: 'roundrobin', metadata: Buffer.from('x') }, { name: 'range', metadata: Buffer.from('y') }] })))
  h.clock.advance(0)
  t.equal((await changed.promise).generationId, 2, 'a changed protocol does rebalance')
})

t.test('LeaveGroup removes members (by id or instance id), answers parked joins and rebalances', async t => {
  const h = await openHarness(t)
  const { ids } = await stableGroup(h, 'g', 2)
  const parked = track(h.groups.join(joinReq('g', { memberId: ids[0]! })))
  const r = h.groups.leave('g', [{ memberId: ids[0]!, groupInstanceId: null }, { memberId: 'ghost', groupInstanceId: null }])
  t.same(r.members.map(m => m.errorCode), [0, E.UNKNOWN_MEMBER_ID])
  await settle()
  t.equal(parked.value().errorCode, E.UNKNOWN_MEMBER_ID)
  t.equal(h.groups.groups.get('g')!.state, 'PreparingRebalance')
  t.same(h.groups.leave('nope', [{ memberId: 'm', groupInstanceId: null }]).members[0]!.errorCode, E.UNKNOWN_MEMBER_ID)
  const s = track(h.groups.join(joinReq('s', { groupInstanceId: 'i' })))
  h.clock.advance(0)
  await s.promise
  t.same(h.groups.leave('s', [{ memberId: '', groupInstanceId: 'i' }]).members[0]!.errorCode, 0)
  t.equal(h.groups.groups.get('s')!.size, 0)
  t.same(h.groups.leave('s', [{ memberId: 'x', groupInstanceId: 'zzz' }]).members[0]!.errorCode, E.UNKNOWN_MEMBER_ID)
})

t.test('offset commit validation follows the group state', async t => {
  const h = await openHarness(t)
  const entry = [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }]
  const a = await joinDynamic(h, 'g')
  h.clock.advance(0)
  const r = await a.promise
  const commit = (o: object): Promise<number[]> => h.groups.commitOffsets({ groupId: 'g', generationId: r.generationId, memberId: r.memberId, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: entry, ...o })
  t.same(await commit({}), [E.REBALANCE_IN_PROGRESS], 'CompletingRebalance')
  await h.groups.sync({ groupId: 'g', generationId: r.generationId, memberId: r.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
  t.same(await commit({}), [E.NONE])
  t.same(await commit({ generationId: 7 }), [E.ILLEGAL_GENERATION])
  t.same(await commit({ memberId: 'other' }), [E.UNKNOWN_MEMBER_ID])
  t.same(await commit({ generationId: -1, memberId: '' }), [E.UNKNOWN_MEMBER_ID], 'simple commits need an empty group')
  t.equal(h.groups.fetchOffsets('g', [{ name: 't', partitions: [0] }]).topics[0]!.partitions[0]!.committedOffset, 5n)
})

t.test('DeleteGroups and OffsetDelete: empty, non-empty and subscribed groups', async t => {
  const h = await openHarness(t)
  const { ids } = await stableGroup(h, 'g', 1)
  await h.groups.commitOffsets({ groupId: 'g', generationId: 1, memberId: ids[0]!, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }, { topic: 'u', partition: 0, offset: 2n, leaderEpoch: -1, metadata: null }] })
  t.equal(await h.groups.deleteGroup('g'), E.NON_EMPTY_GROUP)
  t.equal(await h.groups.deleteGroup('nope'), E.GROUP_ID_NOT_FOUND)
  const exists = (n: string): boolean => n === 't' || n === 'u'
  const d = await h.groups.deleteOffsets('g', [{ name: 't', partitions: [0] }, { name: 'u', partitions: [0] }, { name: 'x', partitions: [0] }], exists)
  t.same(d.topics.map(x => x.partitions[0]!.errorCode), [E.GROUP_SUBSCRIBED_TO_TOPIC, 0, E.UNKNOWN_TOPIC_OR_PARTITION])
  t.same(h.groups.fetchOffsets('g', null).topics.map(x => x.name), ['t'])
  t.equal((await h.groups.deleteOffsets('nope', [], exists)).errorCode, E.GROUP_ID_NOT_FOUND)
  h.groups.leave('g', [{ memberId: ids[0]!, groupInstanceId: null }])
  await settle()
  t.equal(h.groups.groups.get('g')!.state, 'Empty')
  t.equal(await h.groups.deleteGroup('g'), 0)
  t.equal(h.groups.groups.has('g'), false)
  t.same(h.groups.fetchOffsets('g', null).topics, [])
  const other = track(h.groups.join(joinReq('conn', { protocolType: 'connect', protocols: [{ name: 'p', metadata: Buffer.from('x') }], apiVersion: 3 })))
  h.clock.advance(0)
  await other.promise
  t.equal((await h.groups.deleteOffsets('conn', [{ name: 't', partitions: [0] }], exists)).errorCode, E.NON_EMPTY_GROUP)
})

t.test('offsets of an Empty group expire offsets.retention.minutes after it became Empty; the group goes too', async t => {
  const h = await openHarness(t, { 'offsets.retention.minutes': '10', 'offsets.retention.check.interval.ms': '60000' })
  const { ids } = await stableGroup(h, 'g', 1, { sessionTimeoutMs: 1800000 })
  await h.groups.commitOffsets({ groupId: 'g', generationId: 1, memberId: ids[0]!, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }] })
  await h.groups.commitOffsets({ groupId: 'simple', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 0, offset: 3n, leaderEpoch: -1, metadata: null }] })
  h.clock.advance(20 * 60000)
  await settle()
  t.equal(h.groups.fetchOffsets('g', null).topics.length, 1, 'Stable group keeps offsets of subscribed topics')
  t.equal(h.groups.groups.has('simple'), false, 'simple group expired 10 minutes after its commit')
  h.groups.leave('g', [{ memberId: ids[0]!, groupInstanceId: null }])
  h.clock.advance(9 * 60000)
  await settle()
  t.equal(h.groups.fetchOffsets('g', null).topics.length, 1)
  h.clock.advance(2 * 60000)
  await settle()
  t.same(h.groups.fetchOffsets('g', null).topics, [])
  t.equal(h.groups.groups.has('g'), false)
  const again = await h.reopen()
  t.equal(again.groups.groups.has('g'), false, 'the deletion was persisted')
  t.equal(again.groups.groups.has('simple'), false)
})

t.test('groups and offsets load back after a restart: Stable with members, whose sessions then expire', async t => {
  const h = await openHarness(t)
  const { ids, generation } = await stableGroup(h, 'g', 2)
  await h.groups.commitOffsets({ groupId: 'g', generationId: generation, memberId: ids[0]!, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 1, offset: 77n, leaderEpoch: 4, metadata: 'meta' }] })
  await stableGroup(h, 'other', 1)
  await h.groups.deleteGroup('nothing')
  const h2 = await h.reopen()
  const g = h2.groups.groups.get('g')!
  t.equal(g.state, 'Stable')
  t.equal(g.generationId, generation)
  t.equal(g.protocolName, 'range')
  t.same([...g.members.keys()].sort(), [...ids].sort())
  t.equal(g.leaderId, ids[0])
  t.equal(g.members.get(ids[1]!)!.assignment.toString(), `a-${ids[1]}`)
  t.same(h2.groups.fetchOffsets('g', [{ name: 't', partitions: [1] }]).topics[0]!.partitions[0], { partitionIndex: 1, committedOffset: 77n, committedLeaderEpoch: 4, metadata: 'meta', errorCode: 0 })
  h2.clock.advance(5000)
  t.equal(h2.groups.heartbeat('g', ids[0]!, null, generation), E.NONE, 'a member resumes by heartbeating')
  h2.clock.advance(5000)
  t.equal(g.members.has(ids[1]!), false, 'the silent member expired after one session timeout')
  t.equal(g.state, 'PreparingRebalance')
})

t.test('requests for a partition still loading get COORDINATOR_LOAD_IN_PROGRESS (heartbeats NONE)', async t => {
  const h = await openHarness(t)
  await stableGroup(h, 'g', 1)
  await h.broker.close()
  const { Broker } = await import('../../src/broker/broker.js')
  const { createLogger } = await import('../../src/server/logger.js')
  const { testConfig } = await import('../helpers/broker.js')
  const b = await Broker.open(testConfig(h.dir, { 'offsets.topic.num.partitions': '3' }), createLogger('silent'), h.clock)
  t.teardown(() => b.close())
  t.equal(b.groups.availability('g'), E.COORDINATOR_LOAD_IN_PROGRESS)
  t.equal((await b.groups.join(joinReq('g'))).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS)
  t.equal(b.groups.heartbeat('g', 'm', null, 1), E.NONE)
  t.equal(b.groups.fetchOffsets('g', null).errorCode, E.COORDINATOR_LOAD_IN_PROGRESS)
  await b.groups.whenLoaded()
  t.equal(b.groups.availability('g'), null)
})

t.test('closing the coordinator answers parked JoinGroup and SyncGroup with NOT_COORDINATOR', async t => {
  const h = await openHarness(t, { 'group.initial.rebalance.delay.ms': '3000' })
  const j = await joinDynamic(h, 'g')
  await h.groups.close()
  t.equal((await j.promise).errorCode, E.NOT_COORDINATOR)
  t.equal(h.groups.availability('g'), E.NOT_COORDINATOR)
})

t.test('an Empty group without offsets is deleted at the next retention check; one with pending members is kept', async t => {
  const h = await openHarness(t, { 'offsets.retention.check.interval.ms': '1000' })
  const { ids } = await stableGroup(h, 'bare', 1)
  h.groups.leave('bare', [{ memberId: ids[0]!, groupInstanceId: null }])
  t.equal(h.groups.groups.get('bare')!.state, 'Empty')
  await h.groups.join(joinReq('pending'))
  h.clock.advance(1000)
  await settle()
  t.equal(h.groups.groups.has('bare'), false)
  t.equal(h.groups.groups.has('pending'), true)
  const again = await h.reopen()
  t.equal(again.groups.groups.has('bare'), false, 'its tombstone was written')
})
