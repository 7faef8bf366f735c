// Exact-byte checks of the encoding rules the round-trip test cannot see on its own: tagged-field
// layout, header quirks, defaults, and rejection of malformed lengths.
import t from 'tap'
import { Reader } from '../../../src/wire/reader.js'
import { Writer } from '../../../src/wire/writer.js'
import { DecodeError } from '../../../src/wire/decode-error.js'
import { EncodeError, type Init } from '../../../src/wire/types.js'
import { API_SPECS, apiSpec } from '../../../src/wire/generated/index.js'
import { ErrorCode, ERRORS, errorName } from '../../../src/wire/generated/errors.js'
import { MetadataApi, decodeMetadataRequest, encodeMetadataRequest, encodeMetadataResponse, decodeMetadataResponse, type MetadataResponse } from '../../../src/wire/generated/metadata.js'
import { encodeApiVersionsRequest } from '../../../src/wire/generated/api-versions.js'
import { encodeFetchSnapshotRequest } from '../../../src/wire/generated/fetch-snapshot.js'
import { decodeFetchResponse, encodeFetchResponse, type FetchResponse } from '../../../src/wire/generated/fetch.js'
import { encodeRequestHeader } from '../../../src/wire/generated/data/request-header.js'
import { decodeConsumerGroupMemberMetadataValue, encodeConsumerGroupMemberMetadataValue } from '../../../src/wire/generated/coordinator-records/consumer-group-member-metadata-value.js'
import { encodeProduceRequest } from '../../../src/wire/generated/produce.js'
import { ZERO_UUID } from '../../../src/wire/uuid.js'

function enc<T> (f: (w: Writer, v: number, m: Init<T>) => void, v: number, m: Init<T>): Buffer {
  const w = new Writer()
  f(w, v, m)
  return w.toBuffer()
}

t.test('API table', async t => {
  t.equal(API_SPECS.length, 89)
  t.same(API_SPECS.map(s => s.apiKey), [...API_SPECS.map(s => s.apiKey)].sort((a, b) => a - b), 'sorted by key')
  for (const k of [4, 5, 6, 7]) t.equal(apiSpec(k), undefined, `removed key ${k} absent`)
  t.same(MetadataApi, { apiKey: 3, name: 'Metadata', minVersion: 0, maxVersion: 13, flexibleMinVersion: 9, latestVersionUnstable: false, listeners: ['broker'] })
  t.equal(apiSpec(0)?.minVersion, 3, 'Produce starts at v3')
  t.equal(apiSpec(22)?.latestVersionUnstable, true, 'InitProducerId top version is unstable')
  t.equal(apiSpec(47)?.flexibleMinVersion, -1, 'OffsetDelete has no flexible versions')
  t.equal(apiSpec(1000), undefined)
  t.equal(apiSpec(1.5), undefined)
})

t.test('error table', async t => {
  t.equal(ErrorCode.NONE, 0)
  t.equal(ErrorCode.UNKNOWN_SERVER_ERROR, -1)
  t.equal(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 3)
  t.equal(ERRORS.length, 135)
  t.equal(errorName(6), 'NOT_LEADER_OR_FOLLOWER')
  t.equal(errorName(9999), 'UNKNOWN_ERROR_9999')
  t.equal(ERRORS.find(e => e.code === 2)?.retriable, true, 'CORRUPT_MESSAGE is retriable')
})

t.test('flexible strings and empty tag section', async t => {
  t.same([...enc(encodeApiVersionsRequest, 3, { clientSoftwareName: 'a', clientSoftwareVersion: 'b' })], [2, 0x61, 2, 0x62, 0])
  t.same([...enc(encodeApiVersionsRequest, 0, {})], [], 'v0 has no fields')
})

t.test('RequestHeader v2 keeps an int16 client id length', async t => {
  t.same([...enc(encodeRequestHeader, 2, { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: 'ab' })],
    [0, 18, 0, 3, 0, 0, 0, 1, 0, 2, 0x61, 0x62, 0])
})

t.test('hex defaults', async t => {
  const b = enc(encodeFetchSnapshotRequest, 0, {})
  // ClusterId (tagged, default null, absent), ReplicaId -1, MaxBytes 0x7fffffff
  t.equal(b.readInt32BE(0), -1)
  t.equal(b.readInt32BE(4), 0x7fffffff)
})

t.test('nullability by version', async t => {
  t.throws(() => enc(encodeMetadataRequest, 0, { topics: null }), EncodeError, 'Metadata v0 topics cannot be null')
  t.same([...enc(encodeMetadataRequest, 1, { topics: null })], [0xff, 0xff, 0xff, 0xff])
  t.same(decodeMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 1).topics, null)
  t.throws(() => decodeMetadataRequest(new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])), 0), DecodeError, 'null array refused at v0')
  const nullRecords = enc(encodeProduceRequest, 9, { topicData: [{ name: 't', partitionData: [{ index: 0, records: null }] }] })
  t.equal(nullRecords[nullRecords.length - 3], 0, 'null records are compact length 0, then two empty tag sections')
})

t.test('non-ignorable absent field throws, ignorable one is dropped', async t => {
  t.throws(() => enc(encodeMetadataRequest, 3, { allowAutoTopicCreation: false }), EncodeError, 'AllowAutoTopicCreation is v4+')
  t.same(enc(encodeMetadataRequest, 3, { allowAutoTopicCreation: true }), enc(encodeMetadataRequest, 3, {}), 'default value is fine')
  t.same(enc(encodeProduceRequest, 13, { topicData: [{ name: 'dropped', topicId: ZERO_UUID }] }), enc(encodeProduceRequest, 13, { topicData: [{}] }), 'ignorable name dropped at v13')
})

t.test('tagged fields', async t => {
  const base: Init<FetchResponse> = { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: Buffer.alloc(0) }] }] }
  const plain = enc(encodeFetchResponse, 12, base)
  const withLeader = enc(encodeFetchResponse, 12, { responses: [{ topic: 't', partitions: [{ partitionIndex: 0, records: Buffer.alloc(0), currentLeader: { leaderId: 1, leaderEpoch: 2 } }] }] })
  // The leader adds: tag 1, size 9, int32 leaderId, int32 epoch, empty inner tag section; the count byte goes 0 -> 1.
  t.equal(withLeader.length, plain.length + 11)
  const d = decodeFetchResponse(new Reader(withLeader), 12)
  t.same(d.responses[0]!.partitions[0]!.currentLeader, { leaderId: 1, leaderEpoch: 2 })
  t.same(decodeFetchResponse(new Reader(plain), 12).responses[0]!.partitions[0]!.currentLeader, { leaderId: -1, leaderEpoch: -1 }, 'absent tag gives the default')
  t.throws(() => enc(encodeFetchResponse, 11, { responses: [{ topic: 't', partitions: [{ currentLeader: { leaderId: 1 } }] }] }), EncodeError, 'tagged field set below its versions')

  // Unknown tags are skipped; a known tag whose value does not fill its declared size is malformed.
  const m: Init<MetadataResponse> = { throttleTimeMs: 5 }
  const bytes = enc(encodeMetadataResponse, 12, m)
  t.equal(bytes[bytes.length - 1], 0, 'empty tag section at the end')
  const withUnknown = Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([1, 42, 3, 9, 9, 9])])
  t.equal(decodeMetadataResponse(new Reader(withUnknown), 12).throttleTimeMs, 5)
  t.throws(() => decodeMetadataResponse(new Reader(Buffer.concat([bytes.subarray(0, bytes.length - 1), Buffer.from([1, 42, 30, 9])])), 12), DecodeError, 'tag longer than the input')

  // ConsumerGroupMemberMetadataValue.ClassicMemberMetadata: a tagged nullable struct whose null marker is varint 0.
  const empty = enc(encodeConsumerGroupMemberMetadataValue, 0, {})
  t.equal(empty[empty.length - 1], 0, 'null default is not written')
  const head = empty.subarray(0, empty.length - 1)
  const nullTagged = Buffer.concat([head, Buffer.from([1, 0, 1, 0])])
  t.equal(decodeConsumerGroupMemberMetadataValue(new Reader(nullTagged), 0).classicMemberMetadata, null)
  const present = enc(encodeConsumerGroupMemberMetadataValue, 0, { classicMemberMetadata: { sessionTimeoutMs: 9 } })
  t.same([...present.subarray(head.length, head.length + 5)], [1, 0, 7, 1, 0], 'one tag, tag 0, size 7, present marker 1, then int32')
  const badSize = Buffer.concat([head, Buffer.from([1, 0, 2, 0, 0])])
  t.throws(() => decodeConsumerGroupMemberMetadataValue(new Reader(badSize), 0), DecodeError, 'tag size mismatch')
})

t.test('malformed lengths and varints', async t => {
  const dec = (b: number[], v: number): unknown => decodeMetadataRequest(new Reader(Buffer.from(b)), v)
  t.throws(() => dec([0xff, 0xff, 0xff, 0xfe], 1), DecodeError, 'array length -2')
  t.throws(() => dec([0x7f, 0xff, 0xff, 0xff], 1), DecodeError, 'array length beyond the input')
  t.throws(() => dec([0, 0, 0, 1, 0xff, 0xfb], 1), DecodeError, 'negative string length in a non-nullable string')
  t.throws(() => dec([0, 0, 0, 1, 0x7f, 0xff, 0x61], 1), DecodeError, 'string longer than the input')
  t.throws(() => dec([0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 12), DecodeError, 'varint longer than 5 bytes')
  t.throws(() => dec([0x80], 12), DecodeError, 'truncated varint')
  t.throws(() => dec([0xff, 0xff, 0xff, 0xff, 0x0f], 12), DecodeError, 'compact array length beyond the input')
})
