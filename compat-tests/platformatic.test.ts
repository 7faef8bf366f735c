// @platformatic/kafka 1.x against a real samsa: Admin createTopics, Producer.send (idempotence
// off) with repeated header keys, and Consumer.fetch, its raw group-less Fetch (v12+: topic ids),
// so no group coordinator is involved.
import t from 'tap'
import { Admin, Consumer, Producer } from '@platformatic/kafka'
import { startBroker } from './harness.js'
import { murmur2Partition } from './kafkajs-client.js'
import { checkPartition, makeRecords, uniqueTopic, type TestRecord } from './records.js'
import { platformaticReadAll } from './platformatic-client.js'

const base = { clientId: 'samsa-compat', timeout: 10_000, retries: 2, retryDelay: 100 }

function headerMap(r: TestRecord): Map<Buffer, Buffer> {
  // distinct Buffer objects are distinct Map keys, which is how a repeated header key is sent
  return new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Buffer, Buffer]))
}

t.test('@platformatic/kafka', async (t) => {
  const broker = await startBroker(t)
  const bootstrapBrokers = [broker.bootstrap]
  const admin = new Admin({ ...base, bootstrapBrokers })
  t.teardown(() => admin.close())
  const producer = new Producer({ ...base, bootstrapBrokers, idempotent: false, acks: 1, autocreateTopics: false })
  t.teardown(() => producer.close())
  // a groupId is mandatory in the options; fetch() never uses it
  const consumer = new Consumer({ ...base, bootstrapBrokers, groupId: 'samsa-compat-unused' })
  t.teardown(() => consumer.close(true))

  await t.test('single partition', async (t) => {
    const topic = uniqueTopic('plt-one')
    const created = await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 })
    t.same(created.map((c) => ({ name: c.name, partitions: c.partitions })), [{ name: topic, partitions: 1 }], 'createTopics answer')
    t.ok((await admin.listTopics()).includes(topic), 'listTopics shows it')

    const records = makeRecords('plt', 30)
    const offsets: bigint[] = []
    for (let i = 0; i < 3; i++) {
      const res = await producer.send({
        messages: records.slice(i * 10, i * 10 + 10).map((r) => ({
          topic,
          partition: 0,
          key: Buffer.from(r.key),
          value: Buffer.from(r.value),
          headers: headerMap(r),
        })),
      })
      offsets.push(...(res.offsets ?? []).map((o) => o.offset))
    }
    t.same(offsets, [0n, 10n, 20n], 'produce answers carry each batch base offset')

    const listed = await consumer.listOffsets({ topics: [topic] })
    t.same([...(listed.get(topic) ?? [])], [30n], 'ListOffsets latest is 30')

    checkPartition(t, records, (await platformaticReadAll(consumer, topic, [0])).records, 0, 0, 'platformatic')
  })

  await t.test('three partitions, keyed', async (t) => {
    const topic = uniqueTopic('plt-three')
    await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
    // explicit partitions chosen by murmur2, so the expected placement does not depend on
    // platformatic's partitioner
    const records = makeRecords('plt3', 45).map((r) => ({ ...r, partition: murmur2Partition(r.key, 3) }))
    await producer.send({
      messages: records.map((r) => ({
        topic,
        partition: r.partition,
        key: Buffer.from(r.key),
        value: Buffer.from(r.value),
        headers: headerMap(r),
      })),
    })
    const got = (await platformaticReadAll(consumer, topic, [0, 1, 2])).records
    t.equal(got.length, records.length, 'every record read back')
    for (const p of [0, 1, 2]) checkPartition(t, records.filter((r) => r.partition === p), got, p, 0, 'platformatic')
  })
})
