// Nothing acknowledged is lost across a graceful restart: records produced by three clients, the
// broker stopped (SIGTERM) and started again on the same data dir, then read by other clients;
// offsets continue where they stopped.
import t from 'tap'
import { startBroker } from './harness.js'
import { haveKcat, havePythonModule } from './tools.js'
import { kcatConsume, kcatProduce, pyProduce } from './clients.js'
import { kafkajsHeaders, kafkajsReadAll, makeKafka } from './kafkajs-client.js'
import { checkPartition, fixedHeaders, makeRecords, uniqueTopic, type TestRecord } from './records.js'

const toMessage = (r: TestRecord) => ({ key: r.key, value: r.value, headers: kafkajsHeaders(r.headers), partition: r.partition })

t.test('restart between produce and consume', async (t) => {
  const broker = await startBroker(t)
  const topic = uniqueTopic('restart')
  const haveOthers = haveKcat() && havePythonModule('confluent_kafka')
  if (!haveOthers) t.comment('kcat or confluent-kafka missing: kafkajs only')

  let kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true })
  await admin.disconnect()

  const p0a = makeRecords('rs-kjs', 20).map((r) => ({ ...r, partition: 0 }))
  const producer = kafka.producer({ idempotent: false })
  await producer.connect()
  await producer.send({ topic, acks: -1, messages: p0a.map(toMessage) })
  await producer.disconnect()
  let p0 = [...p0a]
  let p1: TestRecord[] = []
  if (haveOthers) {
    const p0b = makeRecords('rs-kcat', 10, { headers: 'fixed' }).map((r) => ({ ...r, partition: 0 }))
    await kcatProduce(broker.bootstrap, topic, p0b, { partition: 0, headers: fixedHeaders })
    p0 = [...p0, ...p0b]
    p1 = await pyProduce('confluent_client.py', broker.bootstrap, topic, makeRecords('rs-ckp', 25).map((r) => ({ ...r, partition: 1 })))
  }

  const oldPort = broker.port
  await broker.restart()
  t.comment(`restarted on port ${broker.port} (was ${oldPort})`)
  kafka = makeKafka(broker.bootstrap)

  const got = await kafkajsReadAll(kafka, topic, [0, 1])
  checkPartition(t, p0, got, 0, 0, 'after restart, kafkajs')
  checkPartition(t, p1, got, 1, 0, 'after restart, kafkajs')
  if (haveOthers) checkPartition(t, p1, await kcatConsume(broker.bootstrap, topic, 1), 1, 0, 'after restart, kcat')

  // appends continue at the recovered log end offset
  const more = makeRecords('rs-more', 10).map((r) => ({ ...r, partition: 0 }))
  const producer2 = kafka.producer({ idempotent: false })
  await producer2.connect()
  const res = await producer2.send({ topic, acks: -1, messages: more.map(toMessage) })
  await producer2.disconnect()
  t.equal(res[0]?.baseOffset, String(p0.length), 'first produce after restart gets the next offset')

  await broker.restart()
  kafka = makeKafka(broker.bootstrap)
  const admin2 = kafka.admin()
  await admin2.connect()
  const offsets = await admin2.fetchTopicOffsets(topic)
  await admin2.disconnect()
  t.same(
    offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition),
    [
      { partition: 0, low: '0', high: String(p0.length + more.length) },
      { partition: 1, low: '0', high: String(p1.length) },
    ],
    'after a second restart ListOffsets reports the same log start and end offsets',
  )
  const final = await kafkajsReadAll(kafka, topic, [0, 1])
  checkPartition(t, [...p0, ...more], final, 0, 0, 'after second restart')
  checkPartition(t, p1, final, 1, 0, 'after second restart')
})
