// group.consumer.migration.policy and the conversions between classic and consumer groups: empty groups
// convert both ways under every policy (Kafka deletes an empty group of the other type before it looks at
// the policy); a non-empty classic group meets Kafka's validateOnlineUpgrade checks in their order.
import t from 'tap'
import { openHarness, joinReq } from './harness.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import type { ConsumerHeartbeatRequest } from '../../src/coordinator/consumer-group-coordinator.js'

function hb (groupId: string, o: Partial<ConsumerHeartbeatRequest> = {}): ConsumerHeartbeatRequest {
  return {
    groupId, memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1, ...o
  }
}

const POLICIES = ['disabled', 'upgrade', 'downgrade', 'bidirectional'] as const

t.test('a consumer-protocol member meets a non-empty classic group: Kafka\'s checks, in order', async t => {
  for (const policy of POLICIES) {
    const h = await openHarness(t, { 'group.consumer.migration.policy': policy, 'group.consumer.max.size': '1' })
    h.clock.advance(0)
    const classicJoin = (group: string, protocolType: string): Promise<unknown> => {
      const p = h.groups.join(joinReq(group, { protocolType, apiVersion: 3 }))
      h.clock.advance(3100) // group.initial.rebalance.delay.ms
      return p
    }
    await classicJoin('cons', 'consumer')
    await classicJoin('conn', 'connect')
    const upgradable = policy === 'upgrade' || policy === 'bidirectional'
    const r = await h.groups.consumer.heartbeat(hb('conn'))
    t.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND, `${policy}: refused`)
    t.equal(r.errorMessage, upgradable
      ? 'Cannot upgrade classic group conn to consumer group because the group does not use the consumer embedded protocol.'
      : 'Cannot upgrade classic group conn to consumer group because online upgrade is disabled.', `${policy}: the policy is checked first, then the protocol type`)
    // two classic members: the group exceeds group.consumer.max.size=1
    const two = [h.groups.join(joinReq('big', { apiVersion: 3 })), h.groups.join(joinReq('big', { clientId: 'other', apiVersion: 3 }))]
    h.clock.advance(3100)
    await Promise.all(two)
    t.equal(h.groups.groups.get('big')?.size, 2)
    const r3 = await h.groups.consumer.heartbeat(hb('big'))
    t.equal(r3.errorMessage, upgradable
      ? 'Cannot upgrade classic group big to consumer group because the group size exceeds the consumer group maximum size.'
      : 'Cannot upgrade classic group big to consumer group because online upgrade is disabled.', `${policy}: size checked after the protocol`)
    t.ok(h.groups.groups.has('cons') && h.groups.groups.has('conn') && h.groups.groups.has('big'), `${policy}: the refused classic groups are untouched`)
    // a heartbeat that is not a join never converts anything
    t.equal((await h.groups.consumer.heartbeat(hb('cons', { memberEpoch: 3 }))).errorMessage, 'Group cons is not a consumer group.')
    // a consumer-protocol classic group within the size passes every check: converted (online upgrade)
    const r2 = await h.groups.consumer.heartbeat(hb('cons'))
    if (upgradable) {
      t.equal(r2.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, `${policy}: the group passes the upgrade checks but the joining member exceeds group.consumer.max.size`)
      t.ok(h.groups.groups.has('cons'), `${policy}: and the conversion does not happen`)
      t.notOk(h.groups.consumer.groups.has('cons'))
    } else {
      t.equal(r2.errorMessage, 'Cannot upgrade classic group cons to consumer group because online upgrade is disabled.')
      t.ok(h.groups.groups.has('cons'))
      t.notOk(h.groups.consumer.groups.has('cons'), `${policy}: no consumer group was created`)
    }
  }
})

t.test('empty groups convert both ways under every policy', async t => {
  for (const policy of POLICIES) {
    const h = await openHarness(t, { 'group.consumer.migration.policy': policy })
    // classic -> consumer: an empty classic group holding offsets
    await h.groups.commitOffsets({ groupId: 'e', generationId: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n, apiVersion: 9, entries: [{ topic: 't', partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }] })
    t.ok(h.groups.groups.has('e'))
    const up = await h.groups.consumer.heartbeat(hb('e'))
    t.equal(up.errorCode, ErrorCode.NONE, `${policy}: empty classic group becomes a consumer group`)
    t.notOk(h.groups.groups.has('e'))
    t.equal(h.groups.listGroups([], ['consumer']).find(g => g.groupId === 'e')?.groupType, 'consumer')
    // consumer -> classic: once the last member left, a classic JoinGroup takes the id over
    t.equal((await h.groups.consumer.heartbeat(hb('e', { memberEpoch: -1 }))).errorCode, ErrorCode.NONE)
    t.equal(h.groups.consumer.describe('e').groupState, 'Empty', `${policy}: the last member leaving leaves an Empty consumer group`)
    const join = h.groups.join(joinReq('e', { apiVersion: 3 }))
    h.clock.advance(3100)
    const j = await join
    t.equal(j.errorCode, ErrorCode.NONE, `${policy}: a classic member takes over the empty consumer group`)
    const sync = await h.groups.sync({ groupId: 'e', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: j.memberId, assignment: Buffer.alloc(0) }] })
    t.equal(sync.errorCode, ErrorCode.NONE)
    t.notOk(h.groups.consumer.groups.has('e'))
    t.ok(h.groups.groups.has('e'))
    t.equal(h.groups.fetchOffsets('e', [{ name: 't', partitions: [0] }]).topics[0]!.partitions[0]!.committedOffset, 5n, `${policy}: offsets survive both conversions`)
    // and after a restart the classic group is what was replayed
    const h2 = await h.reopen()
    t.equal(h2.groups.groups.get('e')?.size, 1, `${policy}: the conversions replay to the classic group with its member`)
    t.notOk(h2.groups.consumer.groups.has('e'), `${policy}: and no consumer group`)
  }
})

t.test('a classic member joining a non-empty consumer group must speak the consumer protocol', async t => {
  const h = await openHarness(t)
  await h.groups.consumer.heartbeat(hb('g'))
  const j = await h.groups.join(joinReq('g', { apiVersion: 3, protocolType: 'connect' }))
  t.equal(j.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
  t.equal(h.groups.consumer.describe('g').members.length, 1, 'the consumer group is unchanged')
})
