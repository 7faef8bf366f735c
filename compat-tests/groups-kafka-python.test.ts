// kafka-python (2.0.2) consumer groups against a real samsa: members splitting a topic, commits
// with metadata read back through committed() (OffsetFetch) and the admin client, a group-less
// (assign + group_id) commit, and a resume exactly after the last synchronous commit across a broker
// restart, picked up by a confluent-kafka-python member of the same group.
import t from 'tap'
import { startBroker } from './harness.js'
import { havePythonModule, python } from './tools.js'
import { pyCreateTopic, pyProduce } from './clients.js'
import { makeRecords, uniqueTopic } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, startPyMember, waitUntil, type MemberProcess } from './group-members.js'

const script = 'kafka_python_client.py'
const skip = havePythonModule('kafka') ? false : 'python3-kafka is not installed for /usr/bin/python3'

type Committed = Record<string, { offset: number; metadata: string } | null>

function members(t: { teardown(fn: () => unknown): void }, ms: MemberProcess[]): MemberProcess[] {
  t.teardown(() => ms.forEach((m) => m.kill()))
  return ms
}

t.test('kafka-python consumer groups', { skip }, async (t) => {
  const broker = await startBroker(t, { args: groupBrokerArgs })
  const bootstrap = () => broker.bootstrap

  t.test('two members split four partitions; commits keep their metadata', async (t) => {
    const topic = uniqueTopic('gkp-split')
    const group = uniqueTopic('g-kp')
    await pyCreateTopic(script, bootstrap(), topic, 4)
    const ms = members(t, ['a', 'b'].map((n) => startPyMember(n, { client: 'kafka-python', bootstrap: bootstrap(), topic, group })))
    await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 4), 20_000, () =>
      `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}; ${ms.map((m) => m.stderr()).join('\n')}`)
    t.same(ms.map((m) => m.assignment().length), [2, 2], 'two partitions each')
    const sent = await pyProduce(script, bootstrap(), topic, makeRecords('gkp', 60))
    await waitUntil(() => ms.reduce((n, m) => n + m.records().length, 0) >= sent.length, 15_000, 'all records consumed')
    await new Promise((r) => setTimeout(r, 300))
    checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records()])), 4)

    const d = await python<{ groups: { state: string; protocol_type: string; protocol: string; members: unknown[] }[] }>(
      'group_admin.py', { op: 'kp_describe_groups', bootstrap: bootstrap(), groups: [group] })
    t.match(d.groups[0], { state: 'Stable', protocol_type: 'consumer', protocol: 'range' }, 'describe: Stable, consumer, range')
    t.equal(d.groups[0]?.members.length, 2, 'describe: two members')

    // each member commits its own partitions, with metadata, and reads them back with committed()
    const a = ms[0]!
    const mine = a.assignment()
    const offsets = Object.fromEntries(mine.map((p) => [String(p), sent.filter((r) => r.partition === p).length]))
    const since = a.events.length
    a.send({ cmd: 'commit', offsets, metadata: 'a-meta ✓' })
    const done = await a.next((e) => e.ev === 'committed' || e.ev === 'error', 10_000, since)
    t.equal(done.ev, 'committed', `commit answered (${done.error ?? ''})`)
    a.send({ cmd: 'committed', partitions: [0, 1, 2, 3] })
    const got = (await a.next((e) => e.ev === 'committed_offsets' || e.ev === 'error', 10_000, since)).offsets as Committed
    for (let p = 0; p < 4; p++) {
      t.same(got[String(p)], mine.includes(p) ? { offset: offsets[String(p)], metadata: 'a-meta ✓' } : null,
        `committed() partition ${p}: ${mine.includes(p) ? 'offset and metadata as committed' : 'nothing committed'}`)
    }
    const adm = await python<{ offsets: Committed }>('group_admin.py', { op: 'kp_group_offsets', bootstrap: bootstrap(), group })
    t.same(adm.offsets, Object.fromEntries(mine.map((p) => [`${topic}/${p}`, { offset: offsets[String(p)], metadata: 'a-meta ✓' }])),
      'admin list_consumer_group_offsets shows the same')
    await Promise.all(ms.map((m) => m.close()))
  })

  t.test('a kafka-python and a confluent-kafka-python member share one group', async (t) => {
    const topic = uniqueTopic('gkp-mixed')
    const group = uniqueTopic('g-mixed')
    await pyCreateTopic(script, bootstrap(), topic, 4)
    const ms = members(t, [
      startPyMember('kafka-python', { client: 'kafka-python', bootstrap: bootstrap(), topic, group }),
      startPyMember('confluent', { client: 'confluent', bootstrap: bootstrap(), topic, group }),
    ])
    await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 4), 20_000, () =>
      `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}; ${ms.map((m) => m.stderr()).join('\n')}`)
    const d = await python<{ groups: { state: string; protocol: string; members: { client_id: string }[] }[] }>(
      'group_admin.py', { op: 'kp_describe_groups', bootstrap: bootstrap(), groups: [group] })
    t.match(d.groups[0], { state: 'Stable', protocol: 'range' }, 'both clients list range first: the group runs range')
    t.same(d.groups[0]?.members.map((m) => m.client_id).sort(), ['kafka-python-2.0.2', 'rdkafka'], 'one member of each client')
    const sent = await pyProduce(script, bootstrap(), topic, makeRecords('gkpm', 40))
    await waitUntil(() => ms.reduce((n, m) => n + m.records().length, 0) >= sent.length, 15_000, 'all records consumed')
    await new Promise((r) => setTimeout(r, 300))
    checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records()])), 4)
    await Promise.all(ms.map((m) => m.close()))
  })

  t.test('a group-less consumer (assign + group_id) commits offsets a group member then resumes from', async (t) => {
    const topic = uniqueTopic('gkp-simple')
    const group = uniqueTopic('g-simple')
    await pyCreateTopic(script, bootstrap(), topic, 2)
    const sent = await pyProduce(script, bootstrap(), topic, makeRecords('gks', 30))
    const at = { '0': 3, '1': 5 }
    const res = await python<{ committed: Committed }>('group_admin.py', {
      op: 'kp_simple_commit', bootstrap: bootstrap(), topic, group, offsets: at, metadata: 'simple',
    })
    t.same(res.committed, { '0': { offset: 3, metadata: 'simple' }, '1': { offset: 5, metadata: 'simple' } },
      'committed() returns the simple commit with its metadata')
    const d = await python<{ groups: { state: string; protocol_type: string; members: unknown[] }[] }>(
      'group_admin.py', { op: 'kp_describe_groups', bootstrap: bootstrap(), groups: [group] })
    t.match(d.groups[0], { state: 'Empty', protocol_type: '', members: [] }, 'the group exists, Empty, with no protocol type')

    const [m] = members(t, [startPyMember('m', { client: 'confluent', bootstrap: bootstrap(), topic, group })])
    const want = sent.filter((r) => r.offset >= at[String(r.partition) as '0' | '1'])
    await waitUntil(() => m!.records().length >= want.length, 15_000, () => `member consumed ${m!.records().length}/${want.length}; ${m!.stderr()}`)
    await new Promise((r) => setTimeout(r, 200))
    checkSplitRecords(t, want, new Map([['m', m!.records()]]), 2)
    await m!.close()
  })

  t.test('commit each record, close, restart the broker: the group resumes right after the last commit', async (t) => {
    const topic = uniqueTopic('gkp-resume')
    const group = uniqueTopic('g-resume')
    await pyCreateTopic(script, bootstrap(), topic, 3)
    const sent = await pyProduce(script, bootstrap(), topic, makeRecords('gkr', 45))
    const [first] = members(t, [startPyMember('first', { client: 'kafka-python', bootstrap: bootstrap(), topic, group, commitEach: true, limit: 20, metadata: 'r' })])
    await first!.next((e) => e.ev === 'closed', 20_000)
    await first!.exited
    const done = first!.records()
    t.equal(done.length, 20, 'the first member processed and committed 20 records, then closed')

    await broker.restart()
    const last = new Map<number, number>()
    for (const r of done) last.set(r.partition, Math.max(last.get(r.partition) ?? -1, r.offset))
    const adm = await python<{ offsets: Committed }>('group_admin.py', { op: 'kp_group_offsets', bootstrap: bootstrap(), group })
    t.same(adm.offsets, Object.fromEntries([...last].map(([p, o]) => [`${topic}/${p}`, { offset: o + 1, metadata: 'r' }])),
      'after the restart the committed offsets are the last processed + 1, metadata kept')

    const [second] = members(t, [startPyMember('second', { client: 'confluent', bootstrap: bootstrap(), topic, group })])
    await waitUntil(() => second!.records().length >= sent.length - done.length, 15_000, () =>
      `second consumed ${second!.records().length}/${sent.length - done.length}; ${second!.stderr()}`)
    await new Promise((r) => setTimeout(r, 300))
    const dup = second!.records().filter((r) => done.some((d) => d.partition === r.partition && d.offset === r.offset))
    t.same(dup, [], 'nothing processed and committed before the restart is delivered again')
    checkSplitRecords(t, sent, new Map([['both', [...done, ...second!.records()]]]), 3)
    await second!.close()
  })
})
