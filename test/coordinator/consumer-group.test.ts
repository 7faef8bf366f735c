// KIP-848 consumer group state machine on a manual clock: join, reconciliation with revocation before
// reassignment, leave, session and rebalance timeouts, static members, regex subscriptions, topic changes,
// errors, offsets with member epochs, and persistence across a restart.
import t from 'tap'
import { openHarness, type Harness } from './harness.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import { createTopics } from '../../src/broker/topic-admin.js'
import type { ConsumerHeartbeatRequest, ConsumerHeartbeatResult } from '../../src/coordinator/consumer-group-coordinator.js'

function hb (groupId: string, o: Partial<ConsumerHeartbeatRequest> = {}): ConsumerHeartbeatRequest {
  return {
    groupId, memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1, ...o
  }
}

const tid = (h: Harness, name: string): string => h.broker.metadata.image.topicsByName.get(name)!.id
const parts = (r: ConsumerHeartbeatResult, topicId: string): number[] => r.assignment?.topicPartitions.find(tp => tp.topicId === topicId)?.partitions ?? []

t.test('join, split, revoke before reassign, leave', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  const T = tid(h, 't')
  const a = await cg.heartbeat(hb('g', { memberId: 'a' }))
  t.equal(a.errorCode, ErrorCode.NONE)
  t.equal(a.memberId, 'a')
  t.equal(a.memberEpoch, 1)
  t.equal(a.heartbeatIntervalMs, 5000)
  t.same(parts(a, T), [0, 1])
  t.equal(cg.describe('g').groupState, 'Stable')

  const b = await cg.heartbeat(hb('g', { memberId: 'b' }))
  t.equal(b.memberEpoch, 2)
  t.same(parts(b, T), [], 'b waits: its partition is still owned by a')
  t.equal(cg.describe('g').groupState, 'Reconciling')

  // a must revoke one partition first; it stays at epoch 1 until it reports the partition gone.
  const a2 = await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: T, partitions: [0, 1] }] }))
  t.equal(a2.memberEpoch, 1)
  t.equal(a2.assignment!.topicPartitions[0]!.partitions.length, 1)
  const kept = a2.assignment!.topicPartitions[0]!.partitions[0]!
  const b2 = await cg.heartbeat(hb('g', { memberId: 'b', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] }))
  t.same(parts(b2, T), [], 'still unreleased')
  const a3 = await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: T, partitions: [kept] }] }))
  t.equal(a3.memberEpoch, 2)
  const b3 = await cg.heartbeat(hb('g', { memberId: 'b', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [] }))
  t.same(parts(b3, T), [1 - kept], 'released partition now assigned to b')
  t.equal(cg.describe('g').groupState, 'Stable')

  const listed = h.groups.listGroups([], ['consumer'])
  t.same(listed, [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'consumer' }])
  t.equal(h.groups.listGroups([], ['classic']).length, 0)
  t.equal(h.groups.describeGroup('g', 6).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)

  const left = await cg.heartbeat(hb('g', { memberId: 'b', memberEpoch: -1 }))
  t.equal(left.memberEpoch, -1)
  const a4 = await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: 2, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: T, partitions: [kept] }] }))
  t.equal(a4.memberEpoch, 3, 'the leave bumped the group epoch once')
  t.same(parts(a4, T), [0, 1])
})

t.test('v0 generates the member id; request validation', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  const r = await cg.heartbeat(hb('g', { apiVersion: 0 }))
  t.equal(r.errorCode, ErrorCode.NONE)
  t.ok(r.memberId !== null && r.memberId.length > 0)
  const bad = async (o: Partial<ConsumerHeartbeatRequest>): Promise<number> => (await cg.heartbeat(hb('g', o))).errorCode
  t.equal(await bad({ apiVersion: 1, memberId: '' }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', rebalanceTimeoutMs: -1 }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', topicPartitions: null }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', subscribedTopicNames: null }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', memberEpoch: -2 }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', memberEpoch: -3 }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', instanceId: ' ' }), ErrorCode.INVALID_REQUEST)
  t.equal(await bad({ memberId: 'x', serverAssignor: 'sticky' }), ErrorCode.UNSUPPORTED_ASSIGNOR)
  t.equal(await bad({ memberId: 'x', subscribedTopicRegex: '(' }), ErrorCode.INVALID_REGULAR_EXPRESSION)
  t.equal(await bad({ groupId: 'g', memberId: 'nobody', memberEpoch: 1 }), ErrorCode.UNKNOWN_MEMBER_ID)
  t.equal((await cg.heartbeat(hb('missing', { memberId: 'x', memberEpoch: 1 }))).errorCode, ErrorCode.GROUP_ID_NOT_FOUND)
  t.equal(await bad({ memberId: r.memberId!, memberEpoch: 5 }), ErrorCode.FENCED_MEMBER_EPOCH)
})

t.test('session timeout fences; rebalance timeout fences a member that does not revoke', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  await cg.heartbeat(hb('g', { memberId: 'a', rebalanceTimeoutMs: 1000 }))
  await cg.heartbeat(hb('g', { memberId: 'b' }))
  // a is asked to revoke (on its next heartbeat) but never does.
  await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: 1, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: null }))
  h.clock.advance(1001)
  await new Promise(resolve => setImmediate(resolve))
  t.notOk(cg.groups.get('g')!.members.has('a'), 'fenced after its rebalance timeout')
  h.clock.advance(45000)
  await new Promise(resolve => setImmediate(resolve))
  t.equal(cg.groups.get('g')!.size, 0, 'b expired after the session timeout')
  t.equal(cg.describe('g').groupState, 'Empty')
})

t.test('static members: temporary leave keeps the assignment, unreleased instance id, fenced instance', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  const T = tid(h, 't')
  const a = await cg.heartbeat(hb('g', { memberId: 'a', instanceId: 'i1' }))
  t.same(parts(a, T), [0, 1])
  t.equal((await cg.heartbeat(hb('g', { memberId: 'a2', instanceId: 'i1' }))).errorCode, ErrorCode.UNRELEASED_INSTANCE_ID)
  t.equal((await cg.heartbeat(hb('g', { memberId: 'zz', instanceId: 'i1', memberEpoch: 1, topicPartitions: null }))).errorCode, ErrorCode.FENCED_INSTANCE_ID)
  t.equal((await cg.heartbeat(hb('g', { memberId: 'a', instanceId: 'i1', memberEpoch: -2 }))).memberEpoch, -2)
  const back = await cg.heartbeat(hb('g', { memberId: 'a2', instanceId: 'i1' }))
  t.equal(back.errorCode, ErrorCode.NONE)
  t.same(parts(back, T), [0, 1], 'same partitions under the new member id')
  t.equal(back.memberEpoch, 1, 'no rebalance')
  t.notOk(cg.groups.get('g')!.members.has('a'))
})

t.test('regex subscription, new topics and partitions trigger a new assignment', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  const r = await cg.heartbeat(hb('g', { memberId: 'a', subscribedTopicNames: [], subscribedTopicRegex: 't|u' }))
  t.same(r.assignment!.topicPartitions.map(tp => tp.partitions.length).sort(), [1, 2])
  await createTopics(h.broker, [{ name: 'u2', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }, { name: 'x', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], false)
  await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: r.memberEpoch, subscribedTopicNames: [], subscribedTopicRegex: 'u.*', topicPartitions: r.assignment!.topicPartitions }))
  const g = cg.groups.get('g')!
  t.same([...g.regexes.get('u.*')!.topics].sort(), ['u', 'u2'])
  t.notOk(g.regexes.has('t|u'), 'unused regex dropped')
  const d = cg.describe('g')
  t.same(d.members[0]!.targetAssignment.topicPartitions.map(tp => tp.topicName).sort(), ['u', 'u2'])
})

t.test('errors: max size, classic group conflicts, online upgrade of an empty classic group', async t => {
  const h = await openHarness(t, { 'group.consumer.max.size': '1' })
  const cg = h.groups.consumer
  await cg.heartbeat(hb('g', { memberId: 'a' }))
  t.equal((await cg.heartbeat(hb('g', { memberId: 'b' }))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  // A classic group in use passes the upgrade checks, but the joining member would exceed group.consumer.max.size.
  const join = h.groups.join({ groupId: 'c', memberId: '', groupInstanceId: null, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], clientId: 'c', clientHost: 'h', apiVersion: 3 })
  h.clock.advance(1)
  await join
  t.equal((await cg.heartbeat(hb('c', { memberId: 'x' }))).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED)
  t.ok(h.groups.groups.has('c'), 'and stays a classic group')
  // A classic member whose subscription is not the consumer protocol's cannot join a consumer group.
  const j = await h.groups.join({ groupId: 'g', memberId: '', groupInstanceId: null, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], clientId: 'c', clientHost: 'h', apiVersion: 9 })
  t.equal(j.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  // An empty classic group (offsets only) becomes a consumer group.
  await h.groups.commitOffsets({ groupId: 'e', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }] })
  t.ok(h.groups.groups.has('e'))
  const up = await cg.heartbeat(hb('e', { memberId: 'm' }))
  t.equal(up.errorCode, ErrorCode.NONE)
  t.notOk(h.groups.groups.has('e'))
  t.equal(h.groups.fetchOffsets('e', [{ name: 't', partitions: [0] }]).topics[0]!.partitions[0]!.committedOffset, 5n, 'offsets survive the upgrade')
})

t.test('offset commit and fetch validate member epochs', async t => {
  const h = await openHarness(t)
  const cg = h.groups.consumer
  const a = await cg.heartbeat(hb('g', { memberId: 'a' }))
  const commit = (memberId: string, epoch: number, apiVersion = 9): Promise<number[]> => h.groups.commitOffsets({ groupId: 'g', generationId: epoch, memberId, groupInstanceId: null, retentionTimeMs: -1n, apiVersion, entries: [{ topic: 't', partition: 0, offset: 7n, leaderEpoch: -1, metadata: null }] })
  t.same(await commit('a', a.memberEpoch), [ErrorCode.NONE])
  t.same(await commit('a', a.memberEpoch + 1), [ErrorCode.STALE_MEMBER_EPOCH])
  t.same(await commit('nobody', 1), [ErrorCode.UNKNOWN_MEMBER_ID])
  t.same(await commit('a', a.memberEpoch, 8), [ErrorCode.UNSUPPORTED_VERSION])
  t.same(await commit('', -1), [ErrorCode.UNKNOWN_MEMBER_ID], 'admin commit refused while the group has members')
  t.equal(h.groups.fetchOffsets('g', null, { memberId: 'a', memberEpoch: 9 }).errorCode, ErrorCode.STALE_MEMBER_EPOCH)
  t.equal(h.groups.fetchOffsets('g', null, { memberId: 'zz', memberEpoch: 1 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID)
  t.equal(h.groups.fetchOffsets('g', null, { memberId: null, memberEpoch: -1 }).topics[0]!.partitions[0]!.committedOffset, 7n)
  t.equal(await h.groups.deleteGroup('g'), ErrorCode.NON_EMPTY_GROUP)
  await cg.heartbeat(hb('g', { memberId: 'a', memberEpoch: -1 }))
  t.equal(await h.groups.deleteGroup('g'), ErrorCode.NONE)
  t.notOk(cg.groups.has('g'))
})

t.test('persistence: the group, members, assignments and regexes survive a restart', async t => {
  let h = await openHarness(t)
  const T = tid(h, 't')
  await h.groups.consumer.heartbeat(hb('g', { memberId: 'a', serverAssignor: 'range' }))
  await h.groups.consumer.heartbeat(hb('g', { memberId: 'b', subscribedTopicNames: [], subscribedTopicRegex: 'u' }))
  const before = h.groups.consumer.describe('g')
  h = await h.reopen()
  const after = h.groups.consumer.describe('g')
  t.same(after, before)
  t.equal(after.assignorName, 'range')
  t.same([...h.groups.consumer.groups.get('g')!.regexes.keys()], ['u'])
  const a = await h.groups.consumer.heartbeat(hb('g', { memberId: 'a', memberEpoch: before.members.find(m => m.memberId === 'a')!.memberEpoch, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: [{ topicId: T, partitions: [0, 1] }] }))
  t.equal(a.errorCode, ErrorCode.NONE)
  // Deleting the group leaves nothing to load.
  await h.groups.consumer.heartbeat(hb('g', { memberId: 'a', memberEpoch: -1 }))
  await h.groups.consumer.heartbeat(hb('g', { memberId: 'b', memberEpoch: -1 }))
  t.equal(await h.groups.deleteGroup('g'), ErrorCode.NONE)
  h = await h.reopen()
  t.notOk(h.groups.consumer.groups.has('g'))
})
