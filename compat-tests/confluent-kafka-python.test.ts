// confluent-kafka-python (Debian's, on librdkafka 2.0.2) against a real samsa: AdminClient topic
// creation, keyed produce with headers (idempotence off), assign()-based consume with no commits.
import t from 'tap'
import { startBroker } from './harness.js'
import { havePythonModule } from './tools.js'
import { pyConsume, pyCreateTopic, pyProduce } from './clients.js'
import { checkPartition, makeRecords, uniqueTopic } from './records.js'

const script = 'confluent_client.py'

const skip = havePythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed for /usr/bin/python3'

t.test('confluent-kafka-python', { skip }, async (t) => {
  const broker = await startBroker(t)

  await t.test('single partition, explicit partition 0', async (t) => {
    const topic = uniqueTopic('ckp-one')
    await pyCreateTopic(script, broker.bootstrap, topic, 1)
    const sent = await pyProduce(script, broker.bootstrap, topic, makeRecords('ckp', 40).map((r) => ({ ...r, partition: 0 })))
    t.same(sent.map((r) => r.offset), [...Array(40).keys()], 'delivery reports carry offsets 0..39')
    const { records, errors } = await pyConsume(script, broker.bootstrap, topic, [0])
    if (errors.length) t.comment(`consumer errors: ${errors.join('; ')}`)
    checkPartition(t, sent, records, 0, 0, 'confluent')
  })

  await t.test('three partitions, keyed (murmur2_random)', async (t) => {
    const topic = uniqueTopic('ckp-three')
    await pyCreateTopic(script, broker.bootstrap, topic, 3)
    const sent = await pyProduce(script, broker.bootstrap, topic, makeRecords('ckp3', 60))
    const parts = new Set(sent.map((r) => r.partition))
    t.ok(parts.size > 1, `keys spread over partitions ${[...parts].join(',')}`)
    const { records } = await pyConsume(script, broker.bootstrap, topic, [0, 1, 2])
    t.equal(records.length, sent.length, 'every record read back')
    for (const p of [0, 1, 2]) {
      const mine = sent.filter((r) => r.partition === p)
      t.same(mine.map((r) => r.offset), [...Array(mine.length).keys()], `partition ${p}: delivery offsets from 0`)
      checkPartition(t, mine, records, p, 0, 'confluent')
    }
  })
})
