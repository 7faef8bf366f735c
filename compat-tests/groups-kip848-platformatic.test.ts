// @platformatic/kafka 1.x's Consumer with groupProtocol 'consumer' (KIP-848: ConsumerGroupHeartbeat,
// server-side assignment) against a real samsa: three members split a six-partition topic, one leaves
// and its partitions move to the others, the group is committed, emptied and resumed from its commits,
// and ConsumerGroupDescribe / ListGroups report it as a consumer group.
import t from 'tap'
import { Admin, Consumer, Producer, type Message } from '@platformatic/kafka'
import { Connection } from '../src/client/connection.js'
import type { ConsumerGroupDescribeResponse } from '../src/wire/generated/consumer-group-describe.js'
import { startBroker } from './harness.js'
import { makeRecords, uniqueTopic, type ConsumedRecord, type TestRecord } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, waitUntil } from './group-members.js'

const base = { clientId: 'samsa-compat', timeout: 10_000, retries: 3, retryDelay: 100 }
const PARTITIONS = 6

interface Member {
  name: string
  consumer: Consumer
  records: ConsumedRecord[]
  assignment: () => number[]
  close: () => Promise<void>
}

async function startMember(t: { teardown(fn: () => unknown): void }, bootstrap: string, name: string, group: string, topic: string): Promise<Member> {
  const consumer = new Consumer({
    ...base,
    clientId: `samsa-kip848-${name}`,
    bootstrapBrokers: [bootstrap],
    groupId: group,
    groupProtocol: 'consumer',
    // platformatic's types forbid sessionTimeout with groupProtocol 'consumer', yet its validator still
    // requires rebalanceTimeout >= sessionTimeout's classic default (60 s)
    rebalanceTimeout: 60_000,
  })
  t.teardown(() => consumer.close(true))
  const records: ConsumedRecord[] = []
  const commits: Promise<void>[] = []
  const stream = await consumer.consume({ topics: [topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false, maxWaitTime: 100 })
  stream.on('data', (m: Message) => {
    records.push({
      partition: m.partition,
      offset: Number(m.offset),
      key: m.key.toString(),
      value: m.value.toString(),
      headers: [...m.headers].map(([k, v]) => [k.toString(), v.toString()]),
    })
    commits.push(m.commit() as Promise<void>)
  })
  const assignment = (): number[] =>
    [...(consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [])].sort((a, b) => a - b)
  const close = async (): Promise<void> => {
    await Promise.all(commits)
    await stream.close()
    await consumer.close()
  }
  return { name, consumer, records, assignment, close }
}

t.test('@platformatic/kafka with the KIP-848 consumer protocol', async (t) => {
  const broker = await startBroker(t, { args: [...groupBrokerArgs, '-o', 'group.consumer.heartbeat.interval.ms=300', '-o', 'group.consumer.min.heartbeat.interval.ms=100'] })
  const bootstrapBrokers = [broker.bootstrap]
  const admin = new Admin({ ...base, bootstrapBrokers })
  t.teardown(() => admin.close())
  const producer = new Producer({ ...base, bootstrapBrokers, idempotent: false, acks: 1, autocreateTopics: false })
  t.teardown(() => producer.close())
  // platformatic 1.35 has a ConsumerGroupDescribe v0 codec but no Admin method for it, and its parser reads
  // SubscribedTopicNames as one string instead of an array (so it fails on any member): samsa's own client asks.
  const conn = await Connection.open(broker.host, broker.port, { clientId: 'samsa-kip848-describe' })
  t.teardown(() => conn.close())
  const describe = async (group: string) =>
    (await conn.request<ConsumerGroupDescribeResponse>(69, { groupIds: [group], includeAuthorizedOperations: false })).groups[0]!

  async function produce(topic: string, records: TestRecord[]): Promise<(TestRecord & { offset: number })[]> {
    const out: (TestRecord & { offset: number })[] = []
    for (const [i, r] of records.entries()) {
      const partition = i % PARTITIONS
      const res = await producer.send({
        messages: [{
          topic,
          partition,
          key: Buffer.from(r.key),
          value: Buffer.from(r.value),
          headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Buffer, Buffer])),
        }],
      })
      out.push({ ...r, partition, offset: Number(res.offsets![0]!.offset) })
    }
    return out
  }

  const topic = uniqueTopic('k848')
  const group = uniqueTopic('g-k848')
  await admin.createTopics({ topics: [topic], partitions: PARTITIONS, replicas: 1 })

  const ms: Member[] = []
  for (const n of ['a', 'b', 'c']) ms.push(await startMember(t, broker.bootstrap, n, group, topic))
  await waitUntil(() => isSplit(ms.map((m) => m.assignment()), PARTITIONS), 20_000, () => `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}`)
  t.same(ms.map((m) => m.assignment().length), [2, 2, 2], 'uniform assignor: two partitions each')
  const sent = await produce(topic, makeRecords('k848', 60))
  await waitUntil(() => ms.reduce((n, m) => n + m.records.length, 0) >= sent.length, 15_000, () => `consumed ${ms.map((m) => m.records.length)}`)
  await new Promise((r) => setTimeout(r, 300))
  checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records])), PARTITIONS)

  const d = await describe(group)
  t.match(d, { errorCode: 0, groupId: group, groupState: 'Stable', assignorName: 'uniform' }, 'ConsumerGroupDescribe: Stable, uniform')
  const described = d.members.map((m) => ({
    clientId: m.clientId,
    partitions: [...(m.assignment.topicPartitions.find((tp) => tp.topicName === topic)?.partitions ?? [])].sort((x, y) => x - y),
    target: [...(m.targetAssignment.topicPartitions.find((tp) => tp.topicName === topic)?.partitions ?? [])].sort((x, y) => x - y),
    epoch: m.memberEpoch,
  })).sort((x, y) => x.clientId.localeCompare(y.clientId))
  t.same(described, ms.map((m) => ({ clientId: `samsa-kip848-${m.name}`, partitions: m.assignment(), target: m.assignment(), epoch: d.assignmentEpoch })),
    'members, their assignments (as the consumers hold them), targets and epochs')
  t.ok(d.members.every((m) => m.memberType === 1), 'ConsumerGroupDescribe v1: every member is a consumer-protocol member (type 1)')
  const listed = await admin.listGroups({ types: ['consumer'] })
  t.match(listed.get(group), { id: group, protocolType: 'consumer', groupType: 'consumer', state: 'STABLE' }, 'ListGroups with type consumer lists it')
  t.notOk((await admin.listGroups({ types: ['classic'] })).has(group), 'ListGroups with type classic does not')

  // a leaves: b and c take its partitions (three each), and resume them from a's commits
  const [a, b, c] = ms as [Member, Member, Member]
  const aHeld = a.assignment()
  await a.close()
  await waitUntil(() => isSplit([b.assignment(), c.assignment()], PARTITIONS), 15_000, () => `after a left: b ${b.assignment()} c ${c.assignment()}`)
  t.same([b.assignment().length, c.assignment().length], [3, 3], 'a\'s partitions split between b and c')
  t.ok(aHeld.every((p) => !b.assignment().includes(p) || !c.assignment().includes(p)), 'no partition held twice')
  const before = new Map([b, c].map((m) => [m.name, m.records.length]))
  const more = await produce(topic, makeRecords('k848b', 30))
  await waitUntil(() => b.records.length + c.records.length - before.get('b')! - before.get('c')! >= more.length, 15_000, 'b and c consumed the second batch')
  await new Promise((r) => setTimeout(r, 300))
  const fromA = [...b.records.slice(before.get('b')), ...c.records.slice(before.get('c'))].filter((r) => aHeld.includes(r.partition))
  t.ok(fromA.length > 0 && fromA.every((r) => r.offset >= 10), 'a\'s partitions resumed from its commits, not from the beginning')
  checkSplitRecords(t, [...sent, ...more], new Map([['all', [...a.records, ...b.records, ...c.records]]]), PARTITIONS)
  const d2 = await describe(group)
  t.equal(d2.members.length, 2, 'ConsumerGroupDescribe: two members after a left')
  t.ok(d2.groupEpoch > d.groupEpoch, 'the leave bumped the group epoch')

  // everyone leaves: the group is Empty, keeps its offsets, and a new member resumes from them
  await b.close()
  await c.close()
  t.match(await describe(group), { errorCode: 0, groupState: 'Empty', members: [] }, 'Empty after the last member left')
  const [offsets] = await admin.listConsumerGroupOffsets({ groups: [group] })
  const committed = Object.fromEntries((offsets?.topics.find((x) => x.name === topic)?.partitions ?? []).map((p) => [p.partitionIndex, String(p.committedOffset)]))
  t.same(committed, Object.fromEntries([...Array(PARTITIONS).keys()].map((p) => [p, '15'])), 'every partition committed to its end')
  const third = await produce(topic, makeRecords('k848c', 12))
  const d3 = await startMember(t, broker.bootstrap, 'd', group, topic)
  await waitUntil(() => d3.records.length >= third.length, 15_000, () => `d consumed ${d3.records.length}/${third.length}, holds ${d3.assignment()}`)
  await new Promise((r) => setTimeout(r, 300))
  t.same(d3.assignment(), [...Array(PARTITIONS).keys()], 'the lone member holds every partition')
  t.same(d3.records.map((r) => `${r.partition}:${r.offset}:${r.key}`).sort(), third.map((r) => `${r.partition}:${r.offset}:${r.key}`).sort(),
    'it resumed from the commits: only the records produced after them')
  await d3.close()
})
