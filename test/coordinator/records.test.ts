import t from 'tap'
import { offsetCommitRecord, groupMetadataRecord, decodeCoordinatorRecord } from '../../src/coordinator/records.js'

t.test('offset commit records: type 1 key, v3 value (v1 with an expire time), tombstones', async t => {
  const r = offsetCommitRecord('g', 't', 3, { offset: 10n, leaderEpoch: 2, metadata: 'm', commitTimestamp: 5n, expireTimestamp: -1n })
  t.equal(r.key.readInt16BE(0), 1)
  t.equal(r.value!.readInt16BE(0), 3)
  t.same(decodeCoordinatorRecord(r.key, r.value), { type: 'offset', group: 'g', topic: 't', partition: 3, value: { offset: 10n, leaderEpoch: 2, metadata: 'm', commitTimestamp: 5n, expireTimestamp: -1n, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' } })
  const e = offsetCommitRecord('g', 't', 3, { offset: 10n, leaderEpoch: 2, metadata: 'm', commitTimestamp: 5n, expireTimestamp: 99n })
  t.equal(e.value!.readInt16BE(0), 1)
  t.equal((decodeCoordinatorRecord(e.key, e.value) as any).value.expireTimestamp, 99n)
  const tomb = offsetCommitRecord('g', 't', 3, null)
  t.equal(tomb.value, null)
  t.same(decodeCoordinatorRecord(tomb.key, null), { type: 'offset', group: 'g', topic: 't', partition: 3, value: null })
})

t.test('group metadata records: type 2 key, v3 value; other record types are recognised and skipped', async t => {
  const r = groupMetadataRecord('g', { protocolType: 'consumer', generation: 4, protocol: 'range', leader: 'm1', currentStateTimestamp: 7n, members: [{ memberId: 'm1', groupInstanceId: 'i', clientId: 'c', clientHost: '/h', rebalanceTimeout: 1, sessionTimeout: 2, subscription: Buffer.from('s'), assignment: Buffer.from('a') }] })
  t.equal(r.key.readInt16BE(0), 2)
  t.equal(r.value!.readInt16BE(0), 3)
  const d = decodeCoordinatorRecord(r.key, r.value) as any
  t.equal(d.type, 'group')
  t.equal(d.value.generation, 4)
  t.equal(d.value.members[0].groupInstanceId, 'i')
  t.equal(d.value.members[0].assignment.toString(), 'a')
  t.same(decodeCoordinatorRecord(Buffer.from([0, 3, 0, 1, 0x67]), null), { type: 'cg-metadata', group: 'g', value: null })
  // ConsumerGroupPartitionMetadata (replaced by the metadata hash in Kafka 4.1) is skipped by type.
  t.same(decodeCoordinatorRecord(Buffer.from([0, 4, 0, 1, 0x67]), null), { type: 'other', recordType: 4 })
  t.throws(() => decodeCoordinatorRecord(Buffer.from([0, 1, 0]), null))
})
