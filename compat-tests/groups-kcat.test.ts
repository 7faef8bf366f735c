// kcat's balanced consumer (-G, librdkafka 2.0.2) against a real samsa: two kcat members splitting
// a topic, their auto-commits on a clean exit, and a later kcat -G -e of the same group reading only
// what came after those commits.
import t from 'tap'
import { startBroker } from './harness.js'
import { haveKcat } from './tools.js'
import { kcatProduce } from './clients.js'
import { makeKafka, murmur2Partition } from './kafkajs-client.js'
import { fixedHeaders, makeRecords, uniqueTopic, type TestRecord } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, startKcatMember, waitUntil, withTimeout } from './group-members.js'

const skip = haveKcat() ? false : 'kcat is not installed (apt-get install kcat)'
// -u: kcat writes each record at once instead of buffering stdout until exit
const groupFlags = ['-u', '-X', 'auto.offset.reset=earliest', '-X', 'session.timeout.ms=3000', '-X', 'heartbeat.interval.ms=300']

/** kcat -P sends keyed records with murmur2_random; the offsets follow from the order per partition. */
function withOffsets(records: TestRecord[], partitions: number, base: Map<number, number>): (TestRecord & { offset: number })[] {
  return records.map((r) => {
    const partition = murmur2Partition(r.key, partitions)
    const offset = base.get(partition) ?? 0
    base.set(partition, offset + 1)
    return { ...r, partition, offset }
  })
}

t.test('kcat -G balanced consumers', { skip }, async (t) => {
  const broker = await startBroker(t, { args: groupBrokerArgs })
  const kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const topic = uniqueTopic('gkc')
  const group = uniqueTopic('g-kcat')
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true })

  const ms = ['k1', 'k2'].map((n) => startKcatMember(n, broker.bootstrap, group, topic, groupFlags))
  t.teardown(() => ms.forEach((m) => m.kill()))
  await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 4), 20_000, () =>
    `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}; ${ms.map((m) => m.stderr()).join('\n')}`)
  t.same(ms.map((m) => m.assignment().length), [2, 2], 'two partitions each')
  const next = new Map<number, number>()
  const sent = withOffsets(makeRecords('gkc', 60, { headers: 'fixed' }), 4, next)
  await kcatProduce(broker.bootstrap, topic, sent, { headers: fixedHeaders })
  await waitUntil(() => ms.reduce((n, m) => n + m.records().length, 0) >= sent.length, 15_000, 'all records consumed')
  await new Promise((r) => setTimeout(r, 300))
  checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records()])), 4)

  const described = (await admin.describeGroups([group])).groups[0]
  t.match(described, { state: 'Stable', protocolType: 'consumer', protocol: 'range' }, 'describeGroups: Stable, consumer, range')
  t.match(described?.members.map((m) => m.clientId), ['rdkafka', 'rdkafka'], 'two rdkafka members')

  // SIGTERM: kcat closes its consumer, which commits the offsets it stored and leaves the group
  for (const m of ms) m.kill('SIGTERM')
  const exits = await withTimeout(Promise.all(ms.map((m) => m.exited)), 15_000, 'kcat exits on SIGTERM')
  t.same(exits.map((e) => e.code), [0, 0], 'both kcat members exited cleanly')
  const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] })
  t.same(
    offsets[0]?.partitions.map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition),
    [0, 1, 2, 3].map((p) => ({ partition: p, offset: String(next.get(p) ?? -1) })),
    'the group committed the end of every partition it consumed',
  )
  t.match((await admin.describeGroups([group])).groups[0], { state: 'Empty', members: [] }, 'the group is Empty after both left')

  const more = withOffsets(makeRecords('gkc2', 20, { headers: 'fixed' }), 4, next)
  await kcatProduce(broker.bootstrap, topic, more, { headers: fixedHeaders })
  const again = startKcatMember('k3', broker.bootstrap, group, topic, [...groupFlags, '-e'])
  t.teardown(() => again.kill())
  const end = await withTimeout(again.exited, 20_000, 'kcat -G -e exits at the end of its partitions')
  t.equal(end.code, 0, 'kcat -G -e exited 0')
  checkSplitRecords(t, more, new Map([['k3', again.records()]]), 4)
})
