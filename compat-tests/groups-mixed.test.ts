// A mixed group against a real samsa: a kafkajs (classic protocol) consumer owns a group, a @platformatic/kafka
// consumer with groupProtocol 'consumer' joins it (online upgrade to a consumer group), both consume their
// share with every record exactly once, then the consumer-protocol member leaves and the group goes back to
// a classic group (online downgrade) in which the kafkajs consumer owns every partition.
import t from 'tap'
import { Partitioners, type Consumer as KafkajsConsumer } from 'kafkajs'
import { Consumer, type Message } from '@platformatic/kafka'
import { Connection } from '../src/client/connection.js'
import type { ConsumerGroupDescribeResponse } from '../src/wire/generated/consumer-group-describe.js'
import { startBroker } from './harness.js'
import { kafkajsHeaders, makeKafka } from './kafkajs-client.js'
import { makeRecords, uniqueTopic, type ConsumedRecord, type TestRecord } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, waitUntil } from './group-members.js'

const PARTITIONS = 4
const base = { clientId: 'samsa-mixed', timeout: 10_000, retries: 3, retryDelay: 100 }

t.test('kafkajs and a KIP-848 consumer in one group: upgrade, split, downgrade', async (t) => {
  const broker = await startBroker(t, { args: [...groupBrokerArgs, '-o', 'group.consumer.heartbeat.interval.ms=300', '-o', 'group.consumer.min.heartbeat.interval.ms=100'] })
  const kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  t.teardown(async () => {
    await producer.disconnect()
    await admin.disconnect()
  })
  const conn = await Connection.open(broker.host, broker.port, { clientId: 'samsa-mixed-describe' })
  t.teardown(() => conn.close())
  const describe = async (group: string) =>
    (await conn.request<ConsumerGroupDescribeResponse>(69, { groupIds: [group], includeAuthorizedOperations: false })).groups[0]!

  const topic = uniqueTopic('mixed')
  const group = uniqueTopic('g-mixed')
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true })
  const sent: (TestRecord & { offset: number })[] = []
  let n = 0
  async function produce(count: number): Promise<void> {
    for (const r of makeRecords(`mx${n++}`, count)) {
      const partition = sent.length % PARTITIONS
      const [res] = await producer.send({ topic, acks: -1, messages: [{ key: r.key, value: r.value, headers: kafkajsHeaders(r.headers), partition }] })
      sent.push({ ...r, partition, offset: Number(res!.baseOffset) })
    }
  }

  // the classic member: a record counts once its offset commit succeeded (a failed one is redelivered)
  const k: KafkajsConsumer = kafka.consumer({ groupId: group, sessionTimeout: 3000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100, retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 1000 } })
  let kAssignment: number[] = []
  let kJoins = 0
  k.on(k.events.GROUP_JOIN, (e) => {
    kAssignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b)
    kJoins++
  })
  const kRecords: ConsumedRecord[] = []
  await k.connect()
  t.teardown(() => k.disconnect())
  await k.subscribe({ topics: [topic], fromBeginning: true })
  await k.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      await k.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }])
      kRecords.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers: Object.entries(message.headers ?? {}).flatMap(([h, v]) => (Array.isArray(v) ? v : [v]).map((x) => [h, String(x)] as [string, string])) })
    },
  })
  await waitUntil(() => kAssignment.length === PARTITIONS, 20_000, () => `kafkajs alone holds ${kAssignment}`)
  await produce(20)
  await waitUntil(() => kRecords.length >= 20, 15_000, () => `kafkajs consumed ${kRecords.length}/20`)

  // the consumer-protocol member joins: the classic group becomes a consumer group
  const p = new Consumer({ ...base, clientId: 'samsa-mixed-848', bootstrapBrokers: [broker.bootstrap], groupId: group, groupProtocol: 'consumer', rebalanceTimeout: 60_000 })
  t.teardown(() => p.close(true))
  const pRecords: ConsumedRecord[] = []
  const commits: Promise<void>[] = []
  const stream = await p.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 100 })
  stream.on('data', (m: Message) => {
    pRecords.push({ partition: m.partition, offset: Number(m.offset), key: m.key.toString(), value: m.value.toString(), headers: [...m.headers].map(([hk, hv]) => [hk.toString(), hv.toString()]) })
    commits.push(m.commit() as Promise<void>)
  })
  const pAssignment = (): number[] => [...(p.assignments?.find((a) => a.topic === topic)?.partitions ?? [])].sort((a, b) => a - b)
  await waitUntil(() => isSplit([kAssignment, pAssignment()], PARTITIONS), 20_000, () => `kafkajs ${kAssignment}, platformatic ${pAssignment()}`)
  t.same([kAssignment.length, pAssignment().length], [2, 2], 'the two members split the partitions')
  const d = await describe(group)
  t.equal(d.errorCode, 0, 'it is a consumer group now')
  t.same(d.members.map((m) => m.memberType).sort(), [0, 1], 'one classic-protocol member (type 0) and one consumer-protocol member (type 1)')
  const kBefore = kRecords.length
  await produce(20)
  await waitUntil(() => kRecords.length + pRecords.length >= 40, 15_000, () => `consumed kafkajs ${kRecords.length}, platformatic ${pRecords.length}`)
  t.ok(kRecords.length > kBefore && pRecords.length > 0, 'both consumed their share of the second batch')
  await new Promise((r) => setTimeout(r, 300))
  checkSplitRecords(t, sent.slice(20), new Map([['kafkajs', kRecords.slice(kBefore)], ['platformatic', pRecords]]), PARTITIONS)

  // the consumer-protocol member leaves: a classic group again, the kafkajs consumer owns everything
  const joinsBefore = kJoins
  await Promise.all(commits)
  await stream.close()
  await p.close()
  await waitUntil(() => kJoins > joinsBefore && kAssignment.length === PARTITIONS, 20_000, () => `kafkajs holds ${kAssignment} after the leave`)
  t.equal((await describe(group)).errorCode, 69, 'ConsumerGroupDescribe: no longer a consumer group (GROUP_ID_NOT_FOUND)')
  const { groups } = await admin.describeGroups([group])
  t.match(groups[0], { state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' }, 'DescribeGroups: a Stable classic group')
  t.equal(groups[0]!.members.length, 1, 'with the kafkajs member alone')
  await produce(20)
  await waitUntil(() => kRecords.length + pRecords.length >= 60, 15_000, () => `consumed kafkajs ${kRecords.length}, platformatic ${pRecords.length}`)
  await new Promise((r) => setTimeout(r, 300))
  checkSplitRecords(t, sent, new Map([['all', [...kRecords, ...pRecords]]]), PARTITIONS)
})
