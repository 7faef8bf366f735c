// kcat (librdkafka 2.0.2) against a real samsa: topics auto-created by producing (kcat has no admin
// API), keyed records with headers, read back with -C -e from the beginning, per partition.
import t from 'tap'
import { startBroker } from './harness.js'
import { haveKcat, kcat, rdkafkaFast } from './tools.js'
import { kcatConsume, kcatProduce } from './clients.js'
import { murmur2Partition } from './kafkajs-client.js'
import { checkPartition, fixedHeaders, makeRecords, uniqueTopic } from './records.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install kcat)'

t.test('kcat on an auto-created single-partition topic', { skip }, async (t) => {
  const broker = await startBroker(t)
  const topic = uniqueTopic('kcat-one')
  const first = makeRecords('kc', 20, { headers: 'fixed' })
  const second = makeRecords('kc2', 15, { headers: 'fixed' })
  await kcatProduce(broker.bootstrap, topic, first, { headers: fixedHeaders })
  await kcatProduce(broker.bootstrap, topic, second, { partition: 0, headers: fixedHeaders })

  const md = JSON.parse((await kcat(['-L', '-J', '-b', broker.bootstrap, '-t', topic, ...rdkafkaFast])).stdout) as {
    topics: { topic: string; partitions: { partition: number; leader: number }[]; error?: string }[]
  }
  t.same(
    md.topics.map((x) => ({ topic: x.topic, partitions: x.partitions.map((p) => p.partition) })),
    [{ topic, partitions: [0] }],
    'the topic was auto-created with num.partitions=1',
  )

  const got = await kcatConsume(broker.bootstrap, topic)
  checkPartition(t, [...first, ...second], got, 0, 0, 'kcat')
  t.equal(got.length, 35, 'nothing extra came back')
})

t.test('kcat keyed records over three partitions (--num-partitions 3)', { skip }, async (t) => {
  const broker = await startBroker(t, { args: ['--num-partitions', '3'] })
  const topic = uniqueTopic('kcat-three')
  const records = makeRecords('kc3', 45, { headers: 'fixed' }).map((r) => ({ ...r, partition: murmur2Partition(r.key, 3) }))
  await kcatProduce(broker.bootstrap, topic, records, { headers: fixedHeaders })
  const all: Awaited<ReturnType<typeof kcatConsume>> = []
  for (const p of [0, 1, 2]) {
    const got = await kcatConsume(broker.bootstrap, topic, p)
    t.ok(got.every((r) => r.partition === p), `-p ${p} returned only partition ${p}`)
    checkPartition(t, records.filter((r) => r.partition === p), got, p, 0, 'kcat murmur2')
    all.push(...got)
  }
  t.equal(all.length, records.length, 'every record in exactly one partition')
})
