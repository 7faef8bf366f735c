// kafkajs's group Consumer against a real samsa: members splitting a topic, a join and a clean
// leave moving partitions, admin describeGroups/listGroups/fetchOffsets showing what the members
// hold, and commits after processing that a consumer resumes from exactly after a broker restart.
import t from 'tap'
import { AssignerProtocol, Partitioners, type Consumer, type Kafka, type Message } from 'kafkajs'
import { startBroker } from './harness.js'
import { kafkajsHeaders, makeKafka } from './kafkajs-client.js'
import { makeRecords, uniqueTopic, type ConsumedRecord, type Header, type TestRecord } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, waitUntil } from './group-members.js'

const sessionTimeout = 3000

interface Member {
  name: string
  consumer: Consumer
  records: ConsumedRecord[]
  assignment: () => number[]
  memberId: () => string
}

function headerPairs(h: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined): Header[] {
  const out: Header[] = []
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, one.toString()])
  }
  return out
}

/** A running kafkajs group consumer; `handle` decides whether a record counts as processed. */
async function startMember(
  t: { teardown(fn: () => unknown): void },
  kafka: Kafka,
  name: string,
  group: string,
  topic: string,
  opts: { autoCommit?: boolean; handle?: (r: ConsumedRecord, c: Consumer) => Promise<boolean> } = {},
): Promise<Member> {
  const consumer = kafka.consumer({
    groupId: group,
    sessionTimeout,
    rebalanceTimeout: 6000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1000 },
  })
  let assignment: number[] = []
  let memberId = ''
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assignment = [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b)
    memberId = e.payload.memberId
  })
  const records: ConsumedRecord[] = []
  await consumer.connect()
  t.teardown(() => consumer.disconnect())
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({
    autoCommit: opts.autoCommit ?? false,
    eachMessage: async ({ partition, message }) => {
      const r: ConsumedRecord = {
        partition,
        offset: Number(message.offset),
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        headers: headerPairs(message.headers),
      }
      if (!opts.handle || (await opts.handle(r, consumer))) records.push(r)
    },
  })
  return { name, consumer, records, assignment: () => assignment, memberId: () => memberId }
}

const toMessage = (r: TestRecord): Message => ({ key: r.key, value: r.value, headers: kafkajsHeaders(r.headers) })

t.test('kafkajs consumer groups', async (t) => {
  const broker = await startBroker(t, { args: groupBrokerArgs })
  let kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  const producer = kafka.producer({ idempotent: false, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  t.teardown(async () => {
    await producer.disconnect()
    await admin.disconnect()
  })
  async function produce(topic: string, records: TestRecord[]): Promise<(TestRecord & { offset: number })[]> {
    const out: (TestRecord & { offset: number })[] = []
    // one record per send keeps each record's partition and offset known from the answer
    for (const r of records) {
      const [res] = await producer.send({ topic, acks: -1, messages: [toMessage(r)] })
      out.push({ ...r, partition: res!.partition, offset: Number(res!.baseOffset) })
    }
    return out
  }

  t.test('three consumers split six partitions; describeGroups and listGroups agree', async (t) => {
    const topic = uniqueTopic('gkj-split')
    const group = uniqueTopic('g-kjs')
    await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true })
    const startedAt = Date.now()
    const ms = await Promise.all(['a', 'b', 'c'].map((n) => startMember(t, kafka, n, group, topic)))
    await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 6), 20_000, () =>
      `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}`)
    t.comment(`split ${Date.now() - startedAt} ms after the consumers started: ${JSON.stringify(ms.map((m) => m.assignment()))}`)
    t.same(ms.map((m) => m.assignment().length), [2, 2, 2], 'round robin gives each consumer two partitions')
    const sent = await produce(topic, makeRecords('gkj', 60))
    await waitUntil(() => ms.reduce((n, m) => n + m.records.length, 0) >= sent.length, 15_000, 'all records consumed')
    await new Promise((r) => setTimeout(r, 300))
    checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records])), 6)

    const { groups } = await admin.describeGroups([group])
    const g = groups[0]!
    t.match(g, { groupId: group, errorCode: 0, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' },
      'describeGroups: Stable consumer group on RoundRobinAssigner')
    t.same(g.members.map((m) => m.memberId).sort(), ms.map((m) => m.memberId()).sort(), 'describeGroups lists the three member ids')
    for (const m of g.members) {
      const mine = ms.find((x) => x.memberId() === m.memberId)
      const decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
      t.same([...(decoded?.assignment[topic] ?? [])].sort(), mine?.assignment(), `${mine?.name}: described assignment is what it holds`)
      t.match(m, { clientId: 'samsa-compat', clientHost: /127\.0\.0\.1/ }, `${mine?.name}: client id and host`)
      const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata)
      t.same(meta?.topics, [topic], `${mine?.name}: member metadata carries the subscription`)
    }
    const listed = await admin.listGroups()
    t.same(listed.groups.filter((x) => x.groupId === group), [{ groupId: group, protocolType: 'consumer' }], 'listGroups lists it')
    await Promise.all(ms.map((m) => m.consumer.disconnect()))
    const after = (await admin.describeGroups([group])).groups[0]
    t.match(after, { state: 'Empty', members: [] }, 'after every consumer disconnected the group is Empty')
  })

  t.test('a consumer joining and one leaving move partitions', async (t) => {
    const topic = uniqueTopic('gkj-move')
    const group = uniqueTopic('g-kjm')
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true })
    const a = await startMember(t, kafka, 'a', group, topic)
    await waitUntil(() => a.assignment().length === 4, 15_000, 'a alone holds all four')
    const joinAt = Date.now()
    const b = await startMember(t, kafka, 'b', group, topic)
    await waitUntil(() => isSplit([a.assignment(), b.assignment()], 4), 15_000, () =>
      `split: ${JSON.stringify([a.assignment(), b.assignment()])}`)
    const joinMs = Date.now() - joinAt
    t.comment(`join settled ${joinMs} ms after b started connecting`)
    t.ok(joinMs < sessionTimeout + 2000, 'the join settles within a session timeout (plus slack)')
    const leftAt = Date.now()
    await b.consumer.disconnect()
    await waitUntil(() => a.assignment().length === 4, 15_000, () => `a after b left: ${a.assignment()}`)
    const leaveMs = Date.now() - leftAt
    t.comment(`b disconnected; a held all four ${leaveMs} ms later`)
    t.ok(leaveMs < sessionTimeout, 'LeaveGroup moves the partitions before a session timeout could have')
    const sent = await produce(topic, makeRecords('gkjm', 16))
    await waitUntil(() => a.records.length >= sent.length, 10_000, 'a consumes everything')
    checkSplitRecords(t, sent, new Map([['a', a.records]]), 4)
    await a.consumer.disconnect()
  })

  t.test('commits after processing; after a broker restart the group resumes exactly there', async (t) => {
    const topic = uniqueTopic('gkj-resume')
    const group = uniqueTopic('g-kjr')
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
    const sent = await produce(topic, makeRecords('gkjr', 30))
    let processed = 0
    const first = await startMember(t, kafka, 'first', group, topic, {
      handle: async (r, c) => {
        if (processed >= 14) return false // fetched but not processed: must come again
        processed++
        await c.commitOffsets([{ topic, partition: r.partition, offset: String(r.offset + 1) }])
        return true
      },
    })
    await waitUntil(() => processed >= 14, 15_000, 'the first consumer processed 14 records')
    await first.consumer.disconnect()
    const last = new Map<number, number>()
    for (const r of first.records) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset))
    const want = [...last].map(([p, o]) => ({ partition: p, offset: String(o + 1) })).sort((x, y) => x.partition - y.partition)

    await producer.disconnect()
    await admin.disconnect()
    await broker.restart()
    kafka = makeKafka(broker.bootstrap)
    const admin2 = kafka.admin()
    await admin2.connect()
    t.teardown(() => admin2.disconnect())
    const fetched = await admin2.fetchOffsets({ groupId: group, topics: [topic] })
    t.same(
      fetched[0]?.partitions.filter((p) => p.offset !== '-1').map((p) => ({ partition: p.partition, offset: p.offset })).sort((x, y) => x.partition - y.partition),
      want,
      'after the restart fetchOffsets shows the last commits',
    )
    const second = await startMember(t, kafka, 'second', group, topic)
    await waitUntil(() => second.records.length >= sent.length - first.records.length, 15_000, () =>
      `second consumed ${second.records.length}/${sent.length - first.records.length}`)
    await new Promise((r) => setTimeout(r, 300))
    const again = second.records.filter((r) => first.records.some((d) => d.partition === r.partition && d.offset === r.offset))
    t.same(again, [], 'nothing committed before the restart is delivered again')
    checkSplitRecords(t, sent, new Map([['both', [...first.records, ...second.records]]]), 3)
    await second.consumer.disconnect()
  })
})
