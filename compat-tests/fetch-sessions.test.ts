// Incremental fetch sessions (KIP-227) through kafka-ts's consumer, which opens a session with its first
// fetch and afterwards sends only the partitions whose offsets moved: records produced to the others
// after the consumer went idle arrive only if samsa's session still fetches them.
import t from 'tap'
import { createKafkaClient, API } from 'kafka-ts'
import { startBroker } from './harness.js'
import { uniqueTopic } from './records.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

t.test('kafka-ts consumer over an incremental fetch session: every record once, in order per partition', async t => {
  const broker = await startBroker(t)
  const client = createKafkaClient({ clientId: 'samsa-fetch-sessions', bootstrapServers: [{ host: broker.host, port: broker.port }] })
  const admin = client.createCluster()
  await admin.connect()
  t.teardown(async () => await admin.disconnect())
  const topic = uniqueTopic('sessions')
  await admin.sendRequest(API.CREATE_TOPICS, { topics: [{ name: topic, numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false } as any)
  const producer = client.createProducer({ allowTopicAutoCreation: false })
  t.teardown(async () => await producer.close())

  const got = new Map<number, string[]>()
  const sent = new Map<number, string[]>()
  let n = 0
  const produce = async (partitions: number[]): Promise<void> => {
    const messages = partitions.map(partition => ({ topic, partition, key: `k${partition}`, value: `v${n++}` }))
    for (const m of messages) sent.set(m.partition, [...(sent.get(m.partition) ?? []), m.value])
    await producer.send(messages)
  }
  await produce([0, 1, 2])

  const consumer = await client.startConsumer({
    topics: [topic],
    groupId: `g-${topic}`,
    fromBeginning: true,
    maxWaitMs: 200,
    onBatch: async (messages) => {
      for (const m of messages) got.set(m.partition, [...(got.get(m.partition) ?? []), m.value!.toString()])
    }
  })
  t.teardown(async () => await consumer.close())
  // Watch the fetches kafka-ts sends from now on (its cluster object is resolved per request).
  const fetches: { sessionId: number, sessionEpoch: number, partitions: number, answerId: number }[] = []
  const cluster = (consumer as any).cluster
  const original = cluster.sendRequestToNode
  cluster.sendRequestToNode = (nodeId: number) => async (api: any, body: any) => {
    const res = await original(nodeId)(api, body)
    if (api.apiKey === 1) fetches.push({ sessionId: body.sessionId, sessionEpoch: body.sessionEpoch, partitions: body.topics.reduce((s: number, x: any) => s + x.partitions.length, 0), answerId: res.sessionId })
    return res
  }
  const settle = async (): Promise<void> => {
    const until = Date.now() + 15_000
    while (Date.now() < until && [0, 1, 2].some(p => (got.get(p)?.length ?? 0) < (sent.get(p)?.length ?? 0))) await sleep(50)
  }
  await settle()
  // Idle for several fetch rounds, then records to one partition, then to the two that stayed quiet.
  await sleep(800)
  await produce([1])
  await settle()
  await sleep(800)
  await produce([0, 2, 0])
  await settle()
  await produce([2, 2, 1])
  await settle()
  await sleep(300)
  t.same([0, 1, 2].map(p => got.get(p)), [0, 1, 2].map(p => sent.get(p)), 'every record exactly once, in order per partition')
  const incremental = fetches.filter(f => f.sessionId !== 0 && f.sessionEpoch > 0)
  t.ok(incremental.length > 0, `incremental fetches were sent (${incremental.length} of ${fetches.length})`)
  t.ok(incremental.every(f => f.answerId === f.sessionId), 'each was answered within its session')
  t.ok(incremental.some(f => f.partitions < 3), 'some named fewer than all partitions, relying on the session for the rest')
})
