// Compaction and LogAppendTime seen by stock clients: kafkajs produces (with explicit CreateTimes)
// and reads the produce answer's logAppendTime, kcat reads back offsets, values and timestamps, and
// confluent-kafka reads the compacted topic from the beginning.
import t from 'tap'
import { startBroker } from './harness.js'
import { haveKcat, havePythonModule } from './tools.js'
import { makeKafka } from './kafkajs-client.js'
import { pyConsume } from './clients.js'
import { uniqueTopic } from './records.js'
import { createTopic, kcatRead, waitFor, type KcatRecord } from './log-common.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install kcat)'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('cleanup.policy=compact: latest value per key at its original offset, tombstones expire', { skip }, async (t) => {
  const broker = await startBroker(t, { args: ['-o', 'log.cleaner.backoff.ms=200', '-o', 'log.segment.delete.delay.ms=0'] })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('compact')
  const deleteRetentionMs = 3000
  await createTopic(kafka, topic, {
    'cleanup.policy': 'compact',
    'segment.bytes': String(1 << 20),
    'segment.ms': '100',
    'min.cleanable.dirty.ratio': '0.01',
    'delete.retention.ms': String(deleteRetentionMs),
  })
  const producer = kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const keys = Array.from({ length: 10 }, (_, i) => `k${i}`)
  const send = async (messages: { key: string; value: string | null }[]): Promise<number> => {
    const [m] = await producer.send({ topic, acks: -1, messages })
    return Number(m!.baseOffset)
  }
  // each round is its own segment: segment.ms=100 rolls on the next batch's timestamp
  const round1 = await send(keys.map((key) => ({ key, value: `${key}=1` })))
  await sleep(150)
  const round2 = await send(keys.filter((k) => k !== 'k3' && k !== 'k7').map((key) => ({ key, value: `${key}=2` })))
  await sleep(150)
  const tomb = await send([{ key: 'k3', value: null }])
  await sleep(150)
  // the active segment is never cleaned: this one only closes the one before it
  const tail = await send([{ key: 'tail', value: 'tail=1' }])
  t.same([round1, round2, tomb, tail], [0, 10, 18, 19], 'produce offsets')

  // k7 kept its round-1 value; k3's latest record is the tombstone
  const expected = new Map<string, [number, string | null]>()
  keys.forEach((k, i) => expected.set(k, [i, `${k}=1`]))
  keys.filter((k) => k !== 'k3' && k !== 'k7').forEach((k, i) => expected.set(k, [10 + i, `${k}=2`]))
  expected.set('k3', [18, null])
  expected.set('tail', [19, 'tail=1'])
  const want = [...expected.entries()].map(([k, [o, v]]) => [o, k, v]).sort((a, b) => (a[0] as number) - (b[0] as number))
  const asRows = (rs: KcatRecord[]) => rs.map((r) => [r.offset, r.key, r.value])

  const cleaned = await waitFor('the cleaner to compact', () => kcatRead(broker.bootstrap, topic, 'beginning'), (rs) => rs.length === want.length, 10_000)
  t.same(asRows(cleaned), want, 'kcat: one record per key, the latest, at the offset it was produced at')
  t.ok(cleaned.some((r, i) => i > 0 && r.offset !== cleaned[i - 1]!.offset + 1), 'offsets have gaps where older values were')
  if (havePythonModule('confluent_kafka')) {
    const ck = await pyConsume('confluent_client.py', broker.bootstrap, topic, [0])
    t.same(ck.records.map((r) => [r.offset, r.key, r.value]), want, 'confluent-kafka reads the same compacted log')
  }

  // past delete.retention.ms after the tombstone was first cleaned, a later pass drops it
  await sleep(deleteRetentionMs + 200)
  await send([{ key: 'tail', value: 'tail=2' }])
  await sleep(150)
  const last = await send([{ key: 'tail2', value: 'x' }])
  const withoutTomb = want.filter((r) => r[1] !== 'k3' && r[1] !== 'tail').concat([[last - 1, 'tail', 'tail=2'], [last, 'tail2', 'x']])
  const gone = await waitFor('the tombstone to be removed', () => kcatRead(broker.bootstrap, topic, 'beginning'), (rs) => !rs.some((r) => r.key === 'k3') && !rs.some((r) => r.value === 'tail=1'), 10_000)
  t.same(asRows(gone), withoutTomb, 'tombstone and the superseded tail value are gone, the rest unchanged')
  t.equal(gone[gone.length - 1]!.offset, 21, 'the log end is unchanged by cleaning')
})

t.test('message.timestamp.type=LogAppendTime: consumers see the broker append time', { skip }, async (t) => {
  const broker = await startBroker(t)
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('lat')
  await createTopic(kafka, topic, { 'message.timestamp.type': 'LogAppendTime' })
  const producer = kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const producerTs = Date.UTC(2001, 0, 1)
  const before = Date.now()
  const [meta] = await producer.send({ topic, acks: -1, messages: Array.from({ length: 5 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: String(producerTs + i) })) })
  const after = Date.now()
  const appendTime = Number(meta!.logAppendTime)
  t.ok(appendTime >= before - 5 && appendTime <= after + 5, `the produce answer carries the append time (${appendTime}, sent between ${before} and ${after})`)

  const got = await kcatRead(broker.bootstrap, topic, 'beginning')
  t.same(got.map((r) => [r.offset, r.value]), [0, 1, 2, 3, 4].map((i) => [i, `v${i}`]), 'all records back')
  t.same(got.map((r) => r.tstype), Array(5).fill('logappend'), 'librdkafka sees the LogAppendTime timestamp type')
  t.same(got.map((r) => r.ts), Array(5).fill(appendTime), 'every record has the append time, not the producer time')

  // a CreateTime topic on the same broker keeps the producer's timestamps
  const ct = uniqueTopic('ct')
  await createTopic(kafka, ct, {})
  const [ctMeta] = await producer.send({ topic: ct, acks: -1, messages: [{ key: 'a', value: 'a', timestamp: String(producerTs) }] })
  t.equal(ctMeta!.logAppendTime, '-1', 'CreateTime topics answer logAppendTime -1')
  t.same((await kcatRead(broker.bootstrap, ct, 'beginning')).map((r) => [r.tstype, r.ts]), [['create', producerTs]], 'CreateTime kept')
})
