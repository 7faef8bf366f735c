// kafka-python (Debian's 2.0.2) against a real samsa: KafkaAdminClient topic creation, keyed
// produce with headers, a group-less consumer (group_id=None, assign + seek_to_beginning).
import t from 'tap'
import { startBroker } from './harness.js'
import { havePythonModule } from './tools.js'
import { pyConsume, pyCreateTopic, pyProduce } from './clients.js'
import { checkPartition, makeRecords, uniqueTopic } from './records.js'

const script = 'kafka_python_client.py'

const skip = havePythonModule('kafka') ? false : 'python3-kafka is not installed for /usr/bin/python3'

t.test('kafka-python', { skip }, async (t) => {
  const broker = await startBroker(t)

  await t.test('single partition', async (t) => {
    const topic = uniqueTopic('kpy-one')
    await pyCreateTopic(script, broker.bootstrap, topic, 1)
    const sent = await pyProduce(script, broker.bootstrap, topic, makeRecords('kpy', 40).map((r) => ({ ...r, partition: 0 })))
    t.same(sent.map((r) => r.offset), [...Array(40).keys()], 'send futures carry offsets 0..39')
    const { records } = await pyConsume(script, broker.bootstrap, topic, [0])
    checkPartition(t, sent, records, 0, 0, 'kafka-python')
  })

  await t.test('three partitions, keyed (kafka-python default murmur2 partitioner)', async (t) => {
    const topic = uniqueTopic('kpy-three')
    await pyCreateTopic(script, broker.bootstrap, topic, 3)
    const sent = await pyProduce(script, broker.bootstrap, topic, makeRecords('kpy3', 60))
    const { records } = await pyConsume(script, broker.bootstrap, topic, [0, 1, 2])
    t.equal(records.length, sent.length, 'every record read back')
    for (const p of [0, 1, 2]) {
      const mine = sent.filter((r) => r.partition === p)
      t.same(mine.map((r) => r.offset), [...Array(mine.length).keys()], `partition ${p}: send offsets from 0`)
      checkPartition(t, mine, records, p, 0, 'kafka-python')
    }
  })
})
