// @platformatic/kafka 1.x's group Consumer (classic protocol) against a real samsa: two members
// splitting a topic and committing each message, Admin.describeGroups/listGroups, and a member's
// close handing its partitions to the other, which resumes from the committed offsets.
import t from 'tap'
import { inspect } from 'node:util'
import { Admin, Consumer, Producer, type Message } from '@platformatic/kafka'
import { startBroker } from './harness.js'
import { makeRecords, uniqueTopic, type ConsumedRecord, type TestRecord } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, waitUntil } from './group-members.js'

const base = { clientId: 'samsa-compat', timeout: 10_000, retries: 3, retryDelay: 100 }
const sessionTimeout = 3000

interface Member {
  name: string
  consumer: Consumer
  records: ConsumedRecord[]
  assignment: () => number[]
  /** finish pending commits, close the stream, then leave the group */
  close: () => Promise<void>
}

async function startMember(t: { teardown(fn: () => unknown): void }, bootstrap: string, name: string, group: string, topic: string): Promise<Member> {
  const consumer = new Consumer({
    ...base,
    clientId: `samsa-compat-${name}`,
    bootstrapBrokers: [bootstrap],
    groupId: group,
    sessionTimeout,
    rebalanceTimeout: 6000,
    heartbeatInterval: 300,
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

/** The whole error a client call rejected with, nested responses included, as text; '' if it resolved. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return ''
  } catch (e) {
    return inspect(e, { depth: 12 })
  }
}

t.test('@platformatic/kafka consumer groups', async (t) => {
  const broker = await startBroker(t, { args: groupBrokerArgs })
  const bootstrapBrokers = [broker.bootstrap]
  const admin = new Admin({ ...base, bootstrapBrokers })
  t.teardown(() => admin.close())
  const producer = new Producer({ ...base, bootstrapBrokers, idempotent: false, acks: 1, autocreateTopics: false })
  t.teardown(() => producer.close())
  async function produce(topic: string, records: TestRecord[]): Promise<(TestRecord & { offset: number })[]> {
    const out: (TestRecord & { offset: number })[] = []
    for (const [i, r] of records.entries()) {
      const partition = i % 4
      const res = await producer.send({
        messages: [{
          topic,
          partition,
          key: Buffer.from(r.key),
          value: Buffer.from(r.value),
          // distinct Buffer objects are distinct Map keys, which is how a repeated header key is sent
          headers: new Map(r.headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as [Buffer, Buffer])),
        }],
      })
      out.push({ ...r, partition, offset: Number(res.offsets![0]!.offset) })
    }
    return out
  }

  const topic = uniqueTopic('gplt')
  const group = uniqueTopic('g-plt')
  await admin.createTopics({ topics: [topic], partitions: 4, replicas: 1 })

  const ms = await Promise.all(['a', 'b'].map((n) => startMember(t, broker.bootstrap, n, group, topic)))
  await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 4), 20_000, () => `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}`)
  t.same(ms.map((m) => m.assignment().length), [2, 2], 'two partitions each')
  const sent = await produce(topic, makeRecords('gplt', 40))
  await waitUntil(() => ms.reduce((n, m) => n + m.records.length, 0) >= sent.length, 15_000, 'all records consumed')
  await new Promise((r) => setTimeout(r, 300))
  checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records])), 4)

  const g = (await admin.describeGroups({ groups: [group] })).get(group)
  t.match(g, { id: group, state: 'STABLE', protocolType: 'consumer', protocol: 'roundrobin' }, 'describeGroups: STABLE, consumer, roundrobin')
  const described = [...(g?.members.values() ?? [])].map((m) => ({
    clientId: m.clientId,
    partitions: [...(m.assignments?.get(topic)?.partitions ?? [])].sort((a, b) => a - b),
  })).sort((x, y) => x.clientId.localeCompare(y.clientId))
  t.same(described, ms.map((m) => ({ clientId: `samsa-compat-${m.name}`, partitions: m.assignment() })), 'members and assignments as the consumers hold them')
  const listed = await admin.listGroups()
  t.match(listed.get(group), { id: group, protocolType: 'consumer' }, 'listGroups lists the group')

  const [a, b] = ms as [Member, Member]
  const aHeld = a.assignment()
  const closedAt = Date.now()
  await a.close()
  await waitUntil(() => b.assignment().length === 4, 15_000, () => `b after a closed: ${b.assignment()}`)
  const moved = Date.now() - closedAt
  t.comment(`a closed; b held all four ${moved} ms later`)
  t.ok(moved < sessionTimeout, 'LeaveGroup moves the partitions before a session timeout could have')
  const bBefore = b.records.length
  const more = (await produce(topic, makeRecords('gplt2', 20)))
  await waitUntil(() => b.records.length - bBefore >= more.length, 15_000, () => `b consumed ${b.records.length - bBefore}/${more.length}`)
  await new Promise((r) => setTimeout(r, 300))
  const fromA = b.records.slice(bBefore).filter((r) => aHeld.includes(r.partition))
  t.ok(fromA.every((r) => r.offset >= 10), 'b resumed a\'s partitions from a\'s commits, not from the beginning')
  checkSplitRecords(t, [...sent, ...more], new Map([['a+b', [...a.records, ...b.records]]]), 4)

  // offsets of a topic the live group subscribes to cannot be deleted, nor can a non-empty group
  t.match(await failure(admin.deleteConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] })),
    /errorCode: 86\b/, 'OffsetDelete while the group is subscribed to the topic: GROUP_SUBSCRIBED_TO_TOPIC (86)')
  t.match(await failure(admin.deleteGroups({ groups: [group] })), /errorCode: 68\b/, 'DeleteGroups of a group with members: NON_EMPTY_GROUP (68)')
  await b.close()
  const committed = async (): Promise<Record<number, string>> => {
    const [res] = await admin.listConsumerGroupOffsets({ groups: [group] })
    const parts = res?.topics.find((x) => x.name === topic)?.partitions ?? []
    return Object.fromEntries(parts.map((p) => [p.partitionIndex, String(p.committedOffset)]))
  }
  t.same(await committed(), { 0: '15', 1: '15', 2: '15', 3: '15' }, 'OffsetFetch: every partition committed to its end')
  const deleted = await admin.deleteConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionIndexes: [0] }] })
  t.same(deleted, [{ name: topic, partitionIndexes: [0] }], 'OffsetDelete on the Empty group removes partition 0')
  await admin.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionOffsets: [{ partition: 1, offset: 3n }] }] })
  t.same(await committed(), { 1: '3', 2: '15', 3: '15' }, 'partition 0 has no commit, partition 1 was altered to 3')
  await admin.deleteGroups({ groups: [group] })
  t.notOk((await admin.listGroups()).has(group), 'after DeleteGroups the group is not listed')
  t.same(await committed(), {}, 'and has no committed offsets')
})
