// kafkajs against a real samsa: admin topics, keyed produce with headers in several batches, reads
// back through kafkajs's own Fetch (no consumer group: samsa serves none yet), ListOffsets.
import t from 'tap'
import { Partitioners, type Message } from 'kafkajs'
import { startBroker } from './harness.js'
import { makeKafka, kafkajsHeaders, kafkajsReadAll, murmur2Partition } from './kafkajs-client.js'
import { checkPartition, makeRecords, uniqueTopic, type TestRecord } from './records.js'

const toMessage = (r: TestRecord): Message => ({ key: r.key, value: r.value, headers: kafkajsHeaders(r.headers) })

t.test('kafkajs', async (t) => {
  const broker = await startBroker(t)
  const kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  t.teardown(() => producer.disconnect())

  await t.test('single partition: three sends, every record read back', async (t) => {
    const topic = uniqueTopic('kjs-one')
    t.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true }), true)
    const topics = await admin.listTopics()
    t.ok(topics.includes(topic), 'listTopics shows the new topic')
    const records = makeRecords('kjs', 30)
    const baseOffsets: string[] = []
    for (let i = 0; i < 3; i++) {
      const res = await producer.send({ topic, acks: -1, messages: records.slice(i * 10, i * 10 + 10).map(toMessage) })
      t.equal(res.length, 1, `send ${i}: one partition answered`)
      t.equal(res[0]!.errorCode, 0, `send ${i}: no error`)
      t.equal(res[0]!.partition, 0)
      baseOffsets.push(res[0]!.baseOffset ?? 'missing')
    }
    t.same(baseOffsets, ['0', '10', '20'], 'produce answers carry each batch base offset')

    const offsets = await admin.fetchTopicOffsets(topic)
    t.same(
      offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })),
      [{ partition: 0, low: '0', high: '30' }],
      'ListOffsets: earliest 0, latest 30',
    )

    const got = await kafkajsReadAll(kafka, topic, [0])
    checkPartition(t, records, got, 0, 0, 'kafkajs')
  })

  await t.test('three partitions: keyed records land and stay in their partitions', async (t) => {
    const topic = uniqueTopic('kjs-three')
    await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true })
    const meta = await admin.fetchTopicMetadata({ topics: [topic] })
    t.same(
      meta.topics[0]!.partitions.map((p) => p.partitionId).sort(),
      [0, 1, 2],
      'metadata lists partitions 0, 1 and 2',
    )
    const records = makeRecords('kjs3', 60).map((r) => ({ ...r, partition: murmur2Partition(r.key, 3) }))
    const res = await producer.send({ topic, acks: 1, messages: records.map(toMessage) })
    t.same(
      res.map((r) => r.partition).sort(),
      [...new Set(records.map((r) => r.partition))].sort(),
      'one produce answer per partition used',
    )
    for (const r of res) t.equal(r.errorCode, 0, `partition ${r.partition}: no error`)
    const got = await kafkajsReadAll(kafka, topic, [0, 1, 2])
    t.equal(got.length, records.length, 'every record read back')
    for (const p of [0, 1, 2]) {
      checkPartition(t, records.filter((r) => r.partition === p), got, p, 0, 'kafkajs')
    }
  })
})
