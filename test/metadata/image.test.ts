import t from 'tap'
import { MetadataImage, MetadataImageError, TOPIC_RESOURCE, BROKER_RESOURCE, type MetadataRecord } from '../../src/metadata/image.js'
import { encodeMetadataRecord, decodeMetadataRecord } from '../../src/metadata/record-serde.js'
import { MetadataLog } from '../../src/metadata/metadata-log.js'
import { Controller } from '../../src/metadata/controller.js'
import { DecodeError } from '../../src/wire/decode-error.js'
import { createLogger } from '../../src/server/logger.js'

const ID = 'AAAAAAAAAAAAAAAAAAAAAQ'
const ID2 = 'AAAAAAAAAAAAAAAAAAAAAg'
const log = createLogger('silent')

function partition (topicId: string, partitionId: number): MetadataRecord {
  return {
    type: 'PartitionRecord',
    data: { partitionId, topicId, replicas: [1], isr: [1], removingReplicas: [], addingReplicas: [], leader: 1, leaderRecoveryState: 0, leaderEpoch: 0, partitionEpoch: 0, directories: [], eligibleLeaderReplicas: null, lastKnownElr: null }
  }
}

const topicRecords: MetadataRecord[] = [
  { type: 'TopicRecord', data: { name: 'orders', topicId: ID } },
  partition(ID, 0),
  partition(ID, 1),
  { type: 'ConfigRecord', data: { resourceType: TOPIC_RESOURCE, resourceName: 'orders', name: 'retention.ms', value: '1000' } }
]

t.test('applying records builds topics, partitions and configs', async t => {
  const img = new MetadataImage()
  for (const r of topicRecords) img.apply(r)
  const topic = img.topicsByName.get('orders')!
  t.equal(img.topicsById.get(ID), topic)
  t.same(topic.partitions.map(p => [p.partition, p.leader, p.leaderEpoch, p.isr]), [[0, 1, 0, [1]], [1, 1, 0, [1]]])
  t.same([...topic.configs], [['retention.ms', '1000']])
  img.apply({ type: 'ConfigRecord', data: { resourceType: TOPIC_RESOURCE, resourceName: 'orders', name: 'retention.ms', value: null } })
  t.same([...topic.configs], [], 'a null value removes the override')
  img.apply({ type: 'ConfigRecord', data: { resourceType: BROKER_RESOURCE, resourceName: '1', name: 'log.retention.ms', value: '5' } })
  t.same([...img.otherConfigs.get(`${BROKER_RESOURCE}:1`)!], [['log.retention.ms', '5']])
})

t.test('a partition change bumps epochs; leader -2 leaves the leader epoch alone', async t => {
  const img = new MetadataImage()
  for (const r of topicRecords) img.apply(r)
  const base = { topicId: ID, partitionId: 0, isr: null, leader: -2, replicas: null, removingReplicas: null, addingReplicas: null, leaderRecoveryState: -1, directories: null, eligibleLeaderReplicas: null, lastKnownElr: null }
  img.apply({ type: 'PartitionChangeRecord', data: { ...base, isr: [1, 2] } as any })
  const p = img.topicsByName.get('orders')!.partitions[0]!
  t.same([p.leaderEpoch, p.partitionEpoch, p.isr], [0, 1, [1, 2]])
  img.apply({ type: 'PartitionChangeRecord', data: { ...base, leader: 2 } as any })
  t.same([p.leader, p.leaderEpoch, p.partitionEpoch], [2, 1, 2])
})

t.test('inconsistent records are refused', async t => {
  const img = new MetadataImage()
  for (const r of topicRecords) img.apply(r)
  t.throws(() => img.apply({ type: 'TopicRecord', data: { name: 'orders', topicId: ID2 } }), MetadataImageError)
  t.throws(() => img.apply({ type: 'TopicRecord', data: { name: 'other', topicId: ID } }), MetadataImageError)
  t.throws(() => img.apply(partition(ID2, 0)), MetadataImageError)
  t.throws(() => img.apply({ type: 'ConfigRecord', data: { resourceType: TOPIC_RESOURCE, resourceName: 'ghost', name: 'a', value: 'b' } }), MetadataImageError)
  t.throws(() => img.apply({ type: 'RemoveTopicRecord', data: { topicId: ID2 } }), MetadataImageError)
  img.apply({ type: 'RemoveTopicRecord', data: { topicId: ID } })
  t.equal(img.topicsByName.size, 0)
  t.equal(img.topicsById.size, 0)
})

t.test('feature levels: set and cleared by level 0', async t => {
  const img = new MetadataImage()
  img.apply({ type: 'FeatureLevelRecord', data: { name: 'metadata.version', featureLevel: 30 } })
  t.equal(img.features.get('metadata.version'), 30)
  img.apply({ type: 'FeatureLevelRecord', data: { name: 'metadata.version', featureLevel: 0 } })
  t.equal(img.features.has('metadata.version'), false)
})

t.test('record serde round-trips every record type and rejects the unknown', async t => {
  const all: MetadataRecord[] = [...topicRecords, { type: 'RemoveTopicRecord', data: { topicId: ID } }, { type: 'FeatureLevelRecord', data: { name: 'metadata.version', featureLevel: 30 } }]
  for (const r of all) {
    const bytes = encodeMetadataRecord(r)
    t.equal(bytes[0], 1, 'frame version 1')
    const back = decodeMetadataRecord(bytes)
    t.equal(back.type, r.type)
    t.same(encodeMetadataRecord(back), bytes, `${r.type} re-encodes identically`)
  }
  const topicBytes = encodeMetadataRecord(topicRecords[0]!)
  t.equal(topicBytes[1], 2, 'TopicRecord is type 2')
  t.throws(() => decodeMetadataRecord(Buffer.from([2, 2, 0])), DecodeError, 'frame version 2')
  t.throws(() => decodeMetadataRecord(Buffer.from([1, 99, 0])), DecodeError, 'unknown type')
  t.throws(() => decodeMetadataRecord(Buffer.concat([topicBytes, Buffer.from([0])])), DecodeError, 'trailing bytes')
  t.throws(() => decodeMetadataRecord(topicBytes.subarray(0, topicBytes.length - 3)), DecodeError, 'truncated')
})

t.test('the metadata log replays into the same image and offsets', async t => {
  const dir = t.testdir()
  const ml = await MetadataLog.open(dir, log)
  t.equal(ml.image.lastOffset, -1n)
  await ml.append(topicRecords)
  await ml.append([{ type: 'TopicRecord', data: { name: 'second', topicId: ID2 } }, partition(ID2, 0)])
  t.equal(ml.image.lastOffset, 5n)
  await ml.close()
  const again = await MetadataLog.open(dir, log)
  t.equal(again.image.lastOffset, 5n)
  t.same([...again.image.topicsByName.keys()].sort(), ['orders', 'second'])
  t.same([...again.image.topicsByName.get('orders')!.configs], [['retention.ms', '1000']])
  await again.close()
})

t.test('the controller runs changes one at a time against the current image', async t => {
  const dir = t.testdir()
  const ml = await MetadataLog.open(dir, log)
  const controller = new Controller(ml)
  const create = (name: string, id: string): Promise<string> => controller.run(async image => {
    await new Promise(resolve => setTimeout(resolve, 5))
    if (image.topicsByName.has(name)) return { records: [], result: 'exists' }
    return { records: [{ type: 'TopicRecord', data: { name, topicId: id } }], result: 'created' }
  })
  t.same(await Promise.all([create('race', ID), create('race', ID2)]), ['created', 'exists'])
  await t.rejects(controller.run(() => { throw new Error('plan failed') }), /plan failed/)
  t.equal(await create('after', ID2), 'created', 'a failed change does not block the next')
  await controller.drain()
  await ml.close()
})
