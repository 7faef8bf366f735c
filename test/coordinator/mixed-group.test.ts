// Mixed groups on the manual clock: the online upgrade of a non-empty classic group when a consumer-protocol
// member joins, classic members' JoinGroup/SyncGroup/Heartbeat/LeaveGroup/OffsetCommit translated onto the
// consumer group, their session timeouts, and the online downgrade when the last consumer-protocol member leaves.
import t from 'tap'
import { openHarness, joinReq, type Harness } from './harness.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import { Writer } from '../../src/wire/writer.js'
import { encodeConsumerProtocolSubscription } from '../../src/wire/generated/data/consumer-protocol-subscription.js'
import { decodeAssignment, encodeAssignment } from '../../src/coordinator/consumer-protocol.js'
import type { ConsumerHeartbeatRequest } from '../../src/coordinator/consumer-group-coordinator.js'
import type { JoinResult } from '../../src/coordinator/classic-group.js'

function hb (groupId: string, o: Partial<ConsumerHeartbeatRequest> = {}): ConsumerHeartbeatRequest {
  return {
    groupId, memberId: 'c1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1, ...o
  }
}

/** ConsumerProtocolSubscription v1 (with owned partitions). */
function sub1 (topics: string[], owned: { topic: string, partitions: number[] }[] = []): Buffer {
  const w = new Writer(64).int16(1)
  encodeConsumerProtocolSubscription(w, 1, { topics, userData: null, ownedPartitions: owned })
  return w.toBuffer()
}

const parts = (b: Buffer): number[] => decodeAssignment(b).assignedPartitions.flatMap(tp => tp.partitions.map(p => p)).sort()

/** A Stable classic group 'mx' with one member owning both partitions of t. */
async function classicGroup (h: Harness): Promise<JoinResult> {
  const join = h.groups.join(joinReq('mx', { apiVersion: 3, protocols: [{ name: 'range', metadata: sub1(['t']) }] }))
  h.clock.advance(3100)
  const j = await join
  const s = await h.groups.sync({ groupId: 'mx', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: j.memberId, assignment: encodeAssignment([{ topic: 't', partitions: [0, 1] }], 1) }] })
  if (s.errorCode !== ErrorCode.NONE) throw new Error('sync failed')
  return j
}

const tid = (h: Harness): string => h.broker.metadata.image.topicsByName.get('t')!.id

t.test('online upgrade, classic member rejoins for its share, offsets, restart, then downgrade', async t => {
  const h = await openHarness(t)
  const a = await classicGroup(h)
  const gen = a.generationId

  const c1 = await h.groups.consumer.heartbeat(hb('mx'))
  t.equal(c1.errorCode, ErrorCode.NONE, 'the consumer-protocol member joins the classic group')
  t.notOk(h.groups.groups.has('mx'), 'the classic group is gone')
  const d = h.groups.consumer.describe('mx')
  t.equal(d.members.length, 2)
  const am = d.members.find(m => m.memberId === a.memberId)!
  t.equal(am.memberType, 0, 'the classic member is described as one')
  t.equal(am.memberEpoch, gen, 'at the classic generation')
  t.same(am.assignment.topicPartitions[0]!.partitions, [0, 1], 'keeping its classic assignment')
  t.equal(c1.memberEpoch, gen + 1, 'the joining member bumped the group epoch')
  t.same(c1.assignment?.topicPartitions, [], 'and waits for the classic member to release partitions')
  t.equal(h.groups.listGroups([], []).find(g => g.groupId === 'mx')?.groupType, 'consumer')

  t.equal(h.groups.heartbeat('mx', a.memberId, null, gen + 1), ErrorCode.ILLEGAL_GENERATION, 'its generation is its member epoch')
  t.equal(h.groups.heartbeat('mx', a.memberId, null, gen), ErrorCode.REBALANCE_IN_PROGRESS, 'asked to rejoin: the group epoch moved on')
  t.same(await h.groups.commitOffsets({ groupId: 'mx', generationId: gen, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 7, entries: [{ topic: 't', partition: 0, offset: 4n, leaderEpoch: -1, metadata: null }] }), [ErrorCode.NONE], 'a classic member commits with generation = member epoch')
  t.same(await h.groups.commitOffsets({ groupId: 'mx', generationId: gen + 5, memberId: a.memberId, groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 7, entries: [{ topic: 't', partition: 0, offset: 4n, leaderEpoch: -1, metadata: null }] }), [ErrorCode.ILLEGAL_GENERATION])

  // a cooperative rejoin still owning both: it must revoke one first
  const rj = await h.groups.join(joinReq('mx', { memberId: a.memberId, apiVersion: 9, protocols: [{ name: 'range', metadata: sub1(['t'], [{ topic: 't', partitions: [0, 1] }]) }] }))
  t.equal(rj.errorCode, ErrorCode.NONE)
  t.equal(rj.generationId, gen, 'revoking: its epoch stays')
  t.equal(rj.leader, '', 'no leader: the coordinator assigns')
  t.same(rj.members, [])
  const s1 = await h.groups.sync({ groupId: 'mx', generationId: rj.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] })
  t.equal(s1.errorCode, ErrorCode.NONE)
  t.equal(parts(s1.assignment).length, 1, 'SyncGroup answers the partition it keeps')
  const kept = parts(s1.assignment)[0]!
  t.equal(h.groups.heartbeat('mx', a.memberId, null, gen), ErrorCode.REBALANCE_IN_PROGRESS, 'still revoking: rejoin')
  t.equal((await h.groups.sync({ groupId: 'mx', generationId: gen, memberId: a.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'roundrobin', assignments: [] })).errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  const rj2 = await h.groups.join(joinReq('mx', { memberId: a.memberId, apiVersion: 9, protocols: [{ name: 'range', metadata: sub1(['t'], [{ topic: 't', partitions: [kept] }]) }] }))
  t.equal(rj2.generationId, gen + 1, 'revoked: at the new epoch')
  t.equal(h.groups.heartbeat('mx', a.memberId, null, gen + 1), ErrorCode.NONE, 'reconciled')
  const c1b = await h.groups.consumer.heartbeat(hb('mx', { memberEpoch: c1.memberEpoch, topicPartitions: [] }))
  t.same(c1b.assignment?.topicPartitions, [{ topicId: tid(h), partitions: [1 - kept] }], 'the consumer-protocol member gets the released partition')
  t.equal(h.groups.consumer.describe('mx').groupState, 'Stable')

  // the records replay to the same mixed group
  const h2 = await h.reopen()
  const d2 = h2.groups.consumer.describe('mx')
  t.equal(d2.members.length, 2, 'replayed as a consumer group')
  t.notOk(h2.groups.groups.has('mx'), 'and no classic group')
  t.equal(h2.groups.heartbeat('mx', a.memberId, null, gen + 1), ErrorCode.NONE, 'the classic member is known after the restart')
  t.equal(h2.groups.fetchOffsets('mx', [{ name: 't', partitions: [0] }]).topics[0]!.partitions[0]!.committedOffset, 4n)

  // the consumer-protocol member leaves: back to a classic group, which rebalances
  const left = await h2.groups.consumer.heartbeat(hb('mx', { memberEpoch: -1 }))
  t.equal(left.errorCode, ErrorCode.NONE)
  t.notOk(h2.groups.consumer.groups.has('mx'), 'the consumer group is gone')
  const cg = h2.groups.groups.get('mx')
  t.equal(cg?.state, 'PreparingRebalance', 'a classic group again, rebalancing')
  t.equal(cg?.generationId, gen + 1, 'at the group epoch')
  t.equal(h2.groups.heartbeat('mx', a.memberId, null, gen + 1), ErrorCode.REBALANCE_IN_PROGRESS, 'the classic member is asked to rejoin')
  const back = await h2.groups.join(joinReq('mx', { memberId: a.memberId, apiVersion: 9, protocols: [{ name: 'range', metadata: sub1(['t'], [{ topic: 't', partitions: [kept] }]) }] }))
  t.equal(back.errorCode, ErrorCode.NONE)
  t.equal(back.leader, a.memberId, 'it leads the classic group')
  t.equal(back.generationId, gen + 2)
  const s3 = await h2.groups.sync({ groupId: 'mx', generationId: back.generationId, memberId: a.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: a.memberId, assignment: encodeAssignment([{ topic: 't', partitions: [0, 1] }], 1) }] })
  t.equal(s3.errorCode, ErrorCode.NONE)
  t.same(parts(s3.assignment), [0, 1], 'and owns everything')
  const h3 = await h2.reopen()
  t.equal(h3.groups.groups.get('mx')?.size, 1, 'the downgrade replays to the classic group')
  t.notOk(h3.groups.consumer.groups.has('mx'))
})

t.test('classic members join, expire and leave inside a consumer group', async t => {
  const h = await openHarness(t)
  const c1 = await h.groups.consumer.heartbeat(hb('g2'))
  t.equal(c1.errorCode, ErrorCode.NONE)
  const req = joinReq('g2', { sessionTimeoutMs: 8000, protocols: [{ name: 'range', metadata: sub1(['t']) }] })
  const first = await h.groups.join(req)
  t.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED, 'KIP-394: the member id comes first')
  const j = await h.groups.join({ ...req, memberId: first.memberId })
  t.equal(j.errorCode, ErrorCode.NONE, 'a classic member joins the consumer group')
  t.equal(j.protocolName, 'range')
  const s = await h.groups.sync({ groupId: 'g2', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: null, protocolName: null, assignments: [] })
  t.same(parts(s.assignment), [], 'both partitions are still held by the consumer-protocol member')
  t.equal(h.groups.heartbeat('g2', j.memberId, null, j.generationId), ErrorCode.NONE, 'waiting on unreleased partitions: no rejoin yet')
  const c1b = await h.groups.consumer.heartbeat(hb('g2', { memberEpoch: c1.memberEpoch, topicPartitions: [{ topicId: tid(h), partitions: [0, 1] }] }))
  t.equal(c1b.assignment?.topicPartitions[0]!.partitions.length, 1, 'the consumer-protocol member is asked to revoke one')
  const c1c = await h.groups.consumer.heartbeat(hb('g2', { memberEpoch: c1b.memberEpoch, topicPartitions: c1b.assignment!.topicPartitions }))
  t.equal(c1c.errorCode, ErrorCode.NONE)
  t.equal(h.groups.heartbeat('g2', j.memberId, null, j.generationId), ErrorCode.REBALANCE_IN_PROGRESS, 'released: the classic member rejoins to collect it')
  const j2 = await h.groups.join({ ...req, memberId: j.memberId })
  const s2 = await h.groups.sync({ groupId: 'g2', generationId: j2.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] })
  t.equal(parts(s2.assignment).length, 1, 'it now holds its share')

  // session timeout: the classic member's own 8 s, kept alive by heartbeats
  h.clock.advance(5000)
  t.equal(h.groups.heartbeat('g2', j.memberId, null, j2.generationId), ErrorCode.NONE)
  await h.groups.consumer.heartbeat(hb('g2', { memberEpoch: c1c.memberEpoch }))
  h.clock.advance(7000)
  t.equal(h.groups.consumer.describe('g2').members.length, 2, 'alive within its session timeout')
  h.clock.advance(1500)
  await new Promise(resolve => setImmediate(resolve))
  t.equal(h.groups.consumer.describe('g2').members.length, 1, 'expired after its session timeout')
  t.equal(h.groups.heartbeat('g2', j.memberId, null, j2.generationId), ErrorCode.UNKNOWN_MEMBER_ID)
  t.ok(h.groups.consumer.groups.has('g2'), 'the group stays a consumer group: the remaining member uses the consumer protocol')

  // LeaveGroup of a classic member
  const j3 = await h.groups.join({ ...req, memberId: 'classic-b' })
  t.equal(j3.errorCode, ErrorCode.NONE)
  const lv = h.groups.leave('g2', [{ memberId: 'classic-b', groupInstanceId: null }, { memberId: c1.memberId!, groupInstanceId: null }])
  t.same(lv.members.map(m => m.errorCode), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID], 'a consumer-protocol member cannot leave through LeaveGroup')
  t.equal(h.groups.consumer.describe('g2').members.length, 1)
})

t.test('downgrade needs the policy', async t => {
  const h = await openHarness(t, { 'group.consumer.migration.policy': 'upgrade' })
  await classicGroup(h)
  t.equal((await h.groups.consumer.heartbeat(hb('mx'))).errorCode, ErrorCode.NONE)
  await h.groups.consumer.heartbeat(hb('mx', { memberEpoch: -1 }))
  t.ok(h.groups.consumer.groups.has('mx'), 'policy upgrade: stays a consumer group of classic members')
  t.notOk(h.groups.groups.has('mx'))
})

t.test('a classic member must sync, and rejoin when asked, within its rebalance timeout', async t => {
  const h = await openHarness(t)
  await h.groups.consumer.heartbeat(hb('g3'))
  const req = joinReq('g3', { memberId: 'k1', sessionTimeoutMs: 8000, rebalanceTimeoutMs: 12000, protocols: [{ name: 'range', metadata: sub1(['t']) }] })
  t.equal((await h.groups.join(req)).errorCode, ErrorCode.NONE)
  for (let i = 0; i < 2; i++) { h.clock.advance(5000); h.groups.heartbeat('g3', 'k1', null, h.groups.consumer.describe('g3').members.find(m => m.memberId === 'k1')!.memberEpoch) }
  h.clock.advance(2500)
  await new Promise(resolve => setImmediate(resolve))
  t.notOk(h.groups.consumer.describe('g3').members.some(m => m.memberId === 'k1'), 'no SyncGroup within the rebalance timeout: fenced')

  const j = await h.groups.join({ ...req, memberId: 'k2' })
  await h.groups.sync({ groupId: 'g3', generationId: j.generationId, memberId: 'k2', groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] })
  await h.groups.consumer.heartbeat(hb('g3', { memberId: 'c2' }))
  t.equal(h.groups.heartbeat('g3', 'k2', null, j.generationId), ErrorCode.REBALANCE_IN_PROGRESS, 'a new member bumped the epoch: rejoin')
  for (let i = 0; i < 2; i++) { h.clock.advance(5000); t.equal(h.groups.heartbeat('g3', 'k2', null, j.generationId), ErrorCode.REBALANCE_IN_PROGRESS) }
  h.clock.advance(2500)
  await new Promise(resolve => setImmediate(resolve))
  t.notOk(h.groups.consumer.describe('g3').members.some(m => m.memberId === 'k2'), 'heartbeating is not enough: it had to rejoin within its rebalance timeout')
})
