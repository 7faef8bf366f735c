import t from 'tap'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startTestBroker, tempDir, testConfig } from '../helpers/broker.js'
import { API, createTopic, metadata, produceValues, fetchOne, values, listOffsets } from '../helpers/kafka.js'
import { startBroker } from '../../src/server/start.js'
import { MetaPropertiesError } from '../../src/broker/meta-properties.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

t.test('topics, ids, configs, offsets and data survive a restart; the cluster id is unchanged', async t => {
  const dir = tempDir(t)
  const first = await startTestBroker(t, { dir })
  let c = await first.client()
  const idA = await createTopic(c, { name: 'keep-a', numPartitions: 2, configs: { 'retention.ms': '99999' } })
  const idB = await createTopic(c, { name: 'keep-b' })
  await createTopic(c, { name: 'gone' })
  await produceValues(c, 'keep-a', ['a0', 'a1', 'a2'])
  await produceValues(c, 'keep-a', ['b0'], 1)
  await produceValues(c, 'keep-a', ['a3'])
  await c.request(API.DeleteTopics, 6, { topics: [{ name: 'gone', topicId: ZERO_UUID }], timeoutMs: 1000 })
  const clusterId = first.running.broker.clusterId
  await first.stop()

  const second = await startTestBroker(t, { dir })
  c = await second.client()
  t.equal(second.running.broker.clusterId, clusterId, 'cluster id kept')
  const m = await metadata(c, null)
  t.equal(m.clusterId, clusterId)
  t.same(m.topics.map((x: any) => [x.name, x.topicId, x.partitions.length]).sort(), [['keep-a', idA, 2], ['keep-b', idB, 1]])
  const a0 = await fetchOne(c, { topic: 'keep-a' })
  t.same(values(a0.batches), ['a0', 'a1', 'a2', 'a3'])
  t.equal(a0.partition.highWatermark, 4n)
  t.same(values((await fetchOne(c, { topic: 'keep-a', partition: 1 })).batches), ['b0'])
  const [latest] = await listOffsets(c, 'keep-a', [{ partitionIndex: 0, timestamp: -1n }])
  t.equal(latest.offset, 4n)
  t.equal(await produceValues(c, 'keep-a', ['a4']), 4n, 'appends continue from the old end')
  t.equal(second.running.broker.metadata.image.topicsByName.get('keep-a')!.configs.get('retention.ms'), '99999')
  t.equal(second.running.broker.metadata.image.topicsByName.has('gone'), false)
  await second.stop()

  const third = await startTestBroker(t, { dir })
  c = await third.client()
  t.same(values((await fetchOne(c, { topic: 'keep-a' })).batches), ['a0', 'a1', 'a2', 'a3', 'a4'])
  t.equal(third.running.broker.clusterId, clusterId)
})

t.test('meta.properties is written in Kafka\'s format', async t => {
  const b = await startTestBroker(t)
  const text = readFileSync(join(b.dir, 'meta.properties'), 'utf8')
  t.match(text, /^cluster\.id=[A-Za-z0-9_-]{22}$/m)
  t.match(text, /^node\.id=1$/m)
  t.match(text, /^version=1$/m)
  t.match(text, new RegExp(`^cluster\\.id=${b.running.broker.clusterId}$`, 'm'))
})

t.test('a data directory formatted for another node id refuses to start', async t => {
  const dir = tempDir(t)
  const b = await startTestBroker(t, { dir })
  await b.stop()
  await t.rejects(startBroker(testConfig(dir, { 'node.id': '2' })), MetaPropertiesError)
  await t.rejects(startBroker(testConfig(dir, { 'node.id': '2' })), /Stored node id 1 doesn't match/)
  // The original node id still starts.
  const again = await startTestBroker(t, { dir })
  t.equal(again.running.broker.nodeId, 1)
})

t.test('an unsupported meta.properties version refuses to start', async t => {
  const dir = tempDir(t)
  const b = await startTestBroker(t, { dir })
  await b.stop()
  const path = join(dir, 'meta.properties')
  writeFileSync(path, readFileSync(path, 'utf8').replace('version=1', 'version=7'))
  await t.rejects(startBroker(testConfig(dir)), MetaPropertiesError)
})

t.test('the node id is reported in Metadata', async t => {
  const b = await startTestBroker(t, { config: { 'node.id': '7' } })
  const c = await b.client()
  const m = await metadata(c, ['n7'])
  t.equal(m.controllerId, 7)
  t.same(m.brokers.map((x: any) => x.nodeId), [7])
  t.same(m.topics[0].partitions[0].replicaNodes, [7])
  t.equal(m.topics[0].partitions[0].leaderId, 7)
})

t.test('advertised.listeners is what Metadata reports', async t => {
  const b = await startTestBroker(t, { config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:19092', 'broker.rack': 'r1' } })
  const c = await b.client()
  const m = await metadata(c, null)
  t.same(m.brokers, [{ nodeId: 1, host: 'kafka.example', port: 19092, rack: 'r1' }])
  t.equal(b.running.bootstrap, 'kafka.example:19092')
})
