// Retention and DeleteRecords seen by stock clients: kafkajs produces (it can set old CreateTimes)
// and administers, kcat reads (librdkafka's auto.offset.reset handles OFFSET_OUT_OF_RANGE) and
// queries ListOffsets (-Q), kafka-python and confluent-kafka consume from the beginning.
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startBroker } from './harness.js'
import { haveKcat, havePythonModule } from './tools.js'
import { makeKafka } from './kafkajs-client.js'
import { pyConsume } from './clients.js'
import { uniqueTopic } from './records.js'
import { createTopic, kafkajsDeleteRecordsError, kafkajsWatermarks, kcatOffset, kcatRead, waitFor } from './log-common.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install kcat)'
const maintenance = ['-o', 'log.retention.check.interval.ms=500', '-o', 'log.segment.delete.delay.ms=0']

t.test('retention.ms drops the segment of old records; readers below the log start are reset', { skip }, async (t) => {
  const broker = await startBroker(t, { args: maintenance })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('ret-ms')
  await createTopic(kafka, topic, { 'retention.ms': '60000', 'segment.ms': '1000' })
  const producer = kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const hourAgo = Date.now() - 3_600_000
  // one batch an hour old, then fresh ones: the hour between them makes segment.ms roll
  await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `old${i}`, value: `old-${i}`, timestamp: String(hourAgo + i) })) })
  const fresh = Array.from({ length: 15 }, (_, i) => ({ key: `new${i}`, value: `new-${i}` }))
  await producer.send({ topic, acks: -1, messages: fresh })

  const low = await waitFor('the log start offset to pass the old segment', () => kcatOffset(broker.bootstrap, topic, -2), (o) => o > 0)
  t.equal(low, 20, 'kcat -Q earliest: the first fresh offset')
  t.equal(await kcatOffset(broker.bootstrap, topic, -1), 35, 'kcat -Q latest unchanged')
  t.same(await kafkajsWatermarks(kafka, topic), [20, 35], 'kafkajs fetchTopicOffsets low/high')
  await waitFor('the deleted segment file to be unlinked', async () => existsSync(join(broker.dataDir, `${topic}-0`, '00000000000000000000.log')), (e) => !e)

  const reset = await kcatRead(broker.bootstrap, topic, 0, 'earliest')
  t.same(reset.map((r) => [r.offset, r.key, r.value]), fresh.map((m, i) => [20 + i, m.key, m.value]), 'kcat -o 0 with auto.offset.reset=earliest starts at the log start')
  t.same(await kcatRead(broker.bootstrap, topic, 5, 'latest'), [], 'auto.offset.reset=latest jumps to the end')
  t.same((await kcatRead(broker.bootstrap, topic, 'beginning')).map((r) => r.offset)[0], 20, '-o beginning is the log start')
})

t.test('retention.bytes keeps the newest segments worth at least retention.bytes', { skip }, async (t) => {
  const broker = await startBroker(t, { args: maintenance })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('ret-bytes')
  const segmentBytes = 1 << 20
  const retentionBytes = 1_500_000
  await createTopic(kafka, topic, { 'retention.bytes': String(retentionBytes), 'segment.bytes': String(segmentBytes) })
  const producer = kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const value = (n: number): string => `${String(n).padStart(6, '0')}:${'x'.repeat(10_000)}`
  // 7 batches of ~500 KB: two per 1 MiB segment
  for (let b = 0; b < 7; b++) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 50 }, (_, i) => ({ key: null, value: value(b * 50 + i) })) })
  }
  const low = await waitFor('retention.bytes to delete segments', () => kcatOffset(broker.bootstrap, topic, -2), (o) => o > 0)
  t.equal(low % 100, 0, `the log start (${low}) is a segment boundary (two 50-record batches per segment)`)
  const got = await kcatRead(broker.bootstrap, topic, 0, 'earliest')
  t.same(got.map((r) => r.offset), Array.from({ length: 350 - low }, (_, i) => low + i), 'the tail is intact and contiguous')
  t.ok(got.every((r) => r.value === value(r.offset)), 'values match what was produced at those offsets')
  const kept = got.reduce((n, r) => n + r.value!.length, 0)
  t.ok(kept >= retentionBytes - 50_000, `kept about retention.bytes or more of values (${kept} B)`)
  t.ok(kept < retentionBytes + segmentBytes, `and less than one segment more (${kept} B)`)
  t.same(await kafkajsWatermarks(kafka, topic), [low, 350], 'kafkajs sees the same watermarks')
})

t.test('DeleteRecords (kafkajs admin.deleteTopicRecords) moves the low watermark; consumers start there', { skip }, async (t) => {
  const broker = await startBroker(t, { args: maintenance })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('delrec')
  await createTopic(kafka, topic, {})
  const producer = kafka.producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const messages = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }))
  for (let i = 0; i < 40; i += 10) await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 10) })

  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  // kafkajs's deleteTopicRecords reads the admin's cached metadata and never loads it itself
  await admin.fetchTopicMetadata({ topics: [topic] })
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '25' }] })
  t.same(await kafkajsWatermarks(kafka, topic), [25, 40], 'low watermark is the requested offset, mid-batch')
  t.equal(await kcatOffset(broker.bootstrap, topic, -2), 25, 'kcat -Q earliest agrees')

  const fromZero = await kcatRead(broker.bootstrap, topic, 3, 'earliest')
  t.same(fromZero.map((r) => [r.offset, r.value]), messages.slice(25).map((m, i) => [25 + i, m.value]), 'kcat below the low watermark is reset to it, no record before it')
  if (havePythonModule('kafka')) {
    const kp = await pyConsume('kafka_python_client.py', broker.bootstrap, topic, [0])
    t.same(kp.records.map((r) => [r.offset, r.value]), messages.slice(25).map((m, i) => [25 + i, m.value]), 'kafka-python seek_to_beginning starts at 25')
  }
  if (havePythonModule('confluent_kafka')) {
    const ck = await pyConsume('confluent_client.py', broker.bootstrap, topic, [0])
    t.same(ck.records.map((r) => r.offset), messages.slice(25).map((_, i) => 25 + i), 'confluent-kafka OFFSET_BEGINNING starts at 25')
  }

  // -1 means "up to the high watermark"; beyond it Kafka answers OFFSET_OUT_OF_RANGE
  await t.rejects(admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '41' }] }), 'admin.deleteTopicRecords beyond the high watermark fails')
  t.equal(await kafkajsDeleteRecordsError(kafka, topic, '41'), 'OFFSET_OUT_OF_RANGE', 'with OFFSET_OUT_OF_RANGE')
  t.same(await kafkajsWatermarks(kafka, topic), [25, 40], 'a refused delete moves nothing')
  await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] })
  t.same(await kafkajsWatermarks(kafka, topic), [40, 40], 'offset -1 deletes everything up to the high watermark')
  t.same(await kcatRead(broker.bootstrap, topic, 'beginning'), [], 'nothing left to read')
  await producer.send({ topic, acks: -1, messages: [{ key: 'after', value: 'after' }] })
  t.same((await kcatRead(broker.bootstrap, topic, 0, 'earliest')).map((r) => [r.offset, r.value]), [[40, 'after']], 'appends continue at the high watermark')

  // the low watermark survives a restart (log-start-offset checkpoint)
  await broker.restart()
  t.same(await kafkajsWatermarks(makeKafka(broker.bootstrap), topic), [40, 41], 'watermarks after a restart')
})
