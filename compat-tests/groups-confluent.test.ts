// confluent-kafka-python (librdkafka 2.0.2) consumer groups against a real samsa: several member
// processes splitting a topic, a SIGKILLed member's partitions moving after the session timeout,
// cooperative-sticky incremental rebalances, static membership, and list_groups (ListGroups +
// DescribeGroups) showing what the members hold.
import t from 'tap'
import { startBroker } from './harness.js'
import { havePythonModule, python } from './tools.js'
import { pyCreateTopic, pyProduce } from './clients.js'
import { makeRecords, uniqueTopic } from './records.js'
import { checkSplitRecords, groupBrokerArgs, isSplit, startPyMember, waitUntil, type MemberProcess } from './group-members.js'

const script = 'confluent_client.py'
const skip = havePythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed for /usr/bin/python3'
// every member runs with session.timeout.ms=3000 (group_member.py); the broker's minimum is lowered to allow it
const sessionMs = 3000

interface GroupView {
  id: string
  error: string | number | null
  state: string
  protocol_type: string
  protocol: string
  members: { id: string; client_id: string; client_host: string; assignment: Record<string, number[]> }[]
}

function members(t: { teardown(fn: () => unknown): void }, ms: MemberProcess[]): MemberProcess[] {
  t.teardown(() => ms.forEach((m) => m.kill()))
  return ms
}

t.test('confluent-kafka-python consumer groups', { skip }, async (t) => {
  const broker = await startBroker(t, { args: groupBrokerArgs })
  const bootstrap = broker.bootstrap

  t.test('three members split six partitions; each record consumed once', async (t) => {
    const topic = uniqueTopic('gck-split')
    const group = uniqueTopic('g-split')
    await pyCreateTopic(script, bootstrap, topic, 6)
    const ms = members(t, ['a', 'b', 'c'].map((n) => startPyMember(n, { client: 'confluent', bootstrap, topic, group })))
    const took = await waitUntil(() => isSplit(ms.map((m) => m.assignment()), 6), 20_000, () =>
      `assignments ${JSON.stringify(ms.map((m) => m.assignment()))}`)
    t.comment(`split after ${took} ms: ${JSON.stringify(ms.map((m) => m.assignment()))}`)
    t.same(ms.map((m) => m.assignment().length), [2, 2, 2], 'range assignor gives each member two partitions')
    const sent = await pyProduce(script, bootstrap, topic, makeRecords('gck', 90))
    await waitUntil(() => ms.reduce((n, m) => n + m.records().length, 0) >= sent.length, 15_000, 'all records consumed')
    await new Promise((r) => setTimeout(r, 300)) // duplicates, if any, would arrive now
    checkSplitRecords(t, sent, new Map(ms.map((m) => [m.name, m.records()])), 6)
    for (const m of ms) {
      const mine = new Set(m.records().map((r) => r.partition))
      t.ok([...mine].every((p) => m.assignment().includes(p)), `${m.name} consumed only its partitions`)
    }

    // what the coordinator describes is what the members were given
    const held = ms.map((m) => ({ [topic]: m.assignment() })).sort((a, b) => a[topic]![0]! - b[topic]![0]!)
    const byFirst = (g: GroupView) => g.members.map((m) => m.assignment).sort((a, b) => (a[topic]?.[0] ?? -1) - (b[topic]?.[0] ?? -1))
    const ck = await python<{ groups: GroupView[] }>('group_admin.py', { op: 'confluent_list_groups', bootstrap, group })
    t.equal(ck.groups.length, 1, 'confluent list_groups(group) finds the group')
    const g = ck.groups[0]!
    t.match(g, { id: group, error: null, state: 'Stable', protocol_type: 'consumer', protocol: 'range' }, 'confluent: Stable consumer group on range')
    t.equal(g.members.length, 3, 'confluent: three members')
    t.same(byFirst(g), held, 'confluent: member assignments are the partitions each member holds')
    for (const m of g.members) t.match(m, { client_id: 'rdkafka', client_host: /127\.0\.0\.1/ }, 'member client id and host')
    const kp = await python<{ groups: GroupView[] }>('group_admin.py', { op: 'kp_describe_groups', bootstrap, groups: [group] })
    t.match(kp.groups[0], { id: group, error: 0, state: 'Stable', protocol_type: 'consumer', protocol: 'range' }, 'kafka-python describe_consumer_groups agrees')
    t.same(byFirst(kp.groups[0]!), held, 'kafka-python: same member assignments')
    const listed = await python<{ groups: [string, string][] }>('group_admin.py', { op: 'kp_list_groups', bootstrap })
    t.ok(listed.groups.some(([id, type]) => id === group && type === 'consumer'), 'kafka-python list_consumer_groups lists it as consumer')

    await Promise.all(ms.map((m) => m.close()))
    const after = await python<{ groups: GroupView[] }>('group_admin.py', { op: 'confluent_list_groups', bootstrap, group })
    t.match(after.groups[0], { state: 'Empty', members: [] }, 'after every member closed (LeaveGroup) the group is Empty')
  })

  t.test('a member joining and one leaving move partitions within the rebalance bounds', async (t) => {
    const topic = uniqueTopic('gck-move')
    const group = uniqueTopic('g-move')
    await pyCreateTopic(script, bootstrap, topic, 4)
    const [a] = members(t, [startPyMember('a', { client: 'confluent', bootstrap, topic, group })])
    await waitUntil(() => a!.assignment().length === 4, 15_000, () => `a alone holds all four; ${a!.stderr()}`)
    const joinedAt = Date.now()
    const [b] = members(t, [startPyMember('b', { client: 'confluent', bootstrap, topic, group })])
    const joinMs = await waitUntil(() => isSplit([a!.assignment(), b!.assignment()], 4), 15_000, () =>
      `split after join: ${JSON.stringify([a!.assignment(), b!.assignment()])}`)
    t.comment(`join rebalance settled in ${joinMs} ms (${Date.now() - joinedAt} ms after b started)`)
    t.ok(joinMs < sessionMs + 3000, 'the join is settled well within a session timeout plus process start')
    const leftAt = Date.now()
    await b!.close()
    const leaveMs = await waitUntil(() => a!.assignment().length === 4, 15_000, () => `a after b left: ${a!.assignment()}`)
    t.comment(`b closed and a held all four ${Date.now() - leftAt} ms later`)
    t.ok(Date.now() - leftAt < sessionMs, 'LeaveGroup moves the partitions before a session timeout could have')
    t.ok(leaveMs >= 0)
    const sent = await pyProduce(script, bootstrap, topic, makeRecords('gckm', 20))
    await waitUntil(() => a!.records().length >= sent.length, 10_000, 'a consumes everything')
    checkSplitRecords(t, sent, new Map([['a', a!.records()]]), 4)
    await a!.close()
  })

  t.test('a SIGKILLed member loses its partitions after the session timeout', async (t) => {
    const topic = uniqueTopic('gck-kill')
    const group = uniqueTopic('g-kill')
    await pyCreateTopic(script, bootstrap, topic, 4)
    const [a, b] = members(t, ['a', 'b'].map((n) => startPyMember(n, { client: 'confluent', bootstrap, topic, group })))
    await waitUntil(() => isSplit([a!.assignment(), b!.assignment()], 4), 15_000, () =>
      `split: ${JSON.stringify([a!.assignment(), b!.assignment()])}`)
    const bHeld = b!.assignment()
    const killedAt = Date.now()
    b!.kill('SIGKILL')
    await b!.exited
    await waitUntil(() => a!.assignment().length === 4, sessionMs + 10_000, () => `a after b was killed: ${a!.assignment()}`)
    const moved = Date.now() - killedAt
    t.comment(`b (${bHeld}) killed; a held all four ${moved} ms later`)
    // b's last heartbeat was at most one heartbeat interval (300 ms) before the kill
    t.ok(moved >= sessionMs - 400, `not before the session timeout (${moved} ms)`)
    t.ok(moved < sessionMs + 3000, `soon after the session timeout (${moved} ms)`)
    const sent = await pyProduce(script, bootstrap, topic, makeRecords('gckk', 24))
    await waitUntil(() => a!.records().filter((r) => bHeld.includes(r.partition)).length >= sent.filter((r) => bHeld.includes(r.partition!)).length, 10_000, 'a consumes b\'s partitions')
    checkSplitRecords(t, sent, new Map([['a', a!.records()]]), 4)
    await a!.close()
  })

  t.test('cooperative-sticky: a join revokes only the partitions that move', async (t) => {
    const topic = uniqueTopic('gck-coop')
    const group = uniqueTopic('g-coop')
    await pyCreateTopic(script, bootstrap, topic, 4)
    const config = { 'partition.assignment.strategy': 'cooperative-sticky' }
    const [a] = members(t, [startPyMember('a', { client: 'confluent', bootstrap, topic, group, config })])
    await waitUntil(() => a!.assignment().length === 4, 15_000, () => `a alone holds all four; ${a!.stderr()}`)
    const since = a!.events.length
    const [b] = members(t, [startPyMember('b', { client: 'confluent', bootstrap, topic, group, config })])
    await waitUntil(() => isSplit([a!.assignment(), b!.assignment()], 4), 20_000, () =>
      `split: ${JSON.stringify([a!.assignment(), b!.assignment()])} a events ${JSON.stringify(a!.events.slice(since))}`)
    const aEvents = a!.events.slice(since).filter((e) => e.ev === 'assigned' || e.ev === 'revoked')
    const revoked = aEvents.filter((e) => e.ev === 'revoked').flatMap((e) => e.partitions!)
    t.same(revoked.sort(), [...b!.assignment()].sort(), 'a gave up exactly the partitions b received')
    t.ok(aEvents.every((e) => e.assignment!.length >= 2), 'a never lost the partitions it keeps (no eager revoke-all)')
    const g = (await python<{ groups: GroupView[] }>('group_admin.py', { op: 'confluent_list_groups', bootstrap, group })).groups[0]
    t.match(g, { state: 'Stable', protocol_type: 'consumer', protocol: 'cooperative-sticky' }, 'the group runs cooperative-sticky')
    const sent = await pyProduce(script, bootstrap, topic, makeRecords('gckc', 40))
    await waitUntil(() => a!.records().length + b!.records().length >= sent.length, 10_000, 'all consumed')
    checkSplitRecords(t, sent, new Map([['a', a!.records()], ['b', b!.records()]]), 4)
    const bHeld = b!.assignment()
    const aSince = a!.events.length
    await b!.close()
    await waitUntil(() => a!.assignment().length === 4, 15_000, () => `a after b left: ${a!.assignment()}`)
    const later = a!.events.slice(aSince).filter((e) => e.ev === 'assigned' || e.ev === 'revoked')
    t.same(later.filter((e) => e.ev === 'revoked').flatMap((e) => e.partitions!), [], 'b leaving revokes nothing from a')
    t.same(later.flatMap((e) => e.partitions!).sort(), [...bHeld].sort(), 'a is given just b\'s partitions')
    await a!.close()
  })

  t.test('static membership: a restarted member gets its partitions back without a rebalance', async (t) => {
    const topic = uniqueTopic('gck-static')
    const group = uniqueTopic('g-static')
    await pyCreateTopic(script, bootstrap, topic, 4)
    const staticSession = 4000
    const cfg = (id: string) => ({ 'group.instance.id': id, 'session.timeout.ms': staticSession })
    const [a, b] = members(t, ['a', 'b'].map((n) => startPyMember(n, { client: 'confluent', bootstrap, topic, group, config: cfg(`inst-${n}`) })))
    await waitUntil(() => isSplit([a!.assignment(), b!.assignment()], 4), 15_000, () =>
      `split: ${JSON.stringify([a!.assignment(), b!.assignment()])}`)
    const aHeld = a!.assignment()
    const bSince = b!.events.length
    a!.kill('SIGKILL')
    await a!.exited
    const [a2] = members(t, [startPyMember('a2', { client: 'confluent', bootstrap, topic, group, config: cfg('inst-a') })])
    const backMs = await waitUntil(() => a2!.assignment().length > 0, 15_000, () => `a2: ${a2!.stderr()}`)
    t.same(a2!.assignment(), aHeld, 'the restarted instance gets the same partitions')
    t.comment(`a2 held ${a2!.assignment()} ${backMs} ms after it started`)
    t.ok(backMs < staticSession, `within the session timeout (${backMs} ms)`)
    await new Promise((r) => setTimeout(r, staticSession + 500)) // past a's old session timeout
    t.same(b!.events.slice(bSince).filter((e) => e.ev === 'assigned' || e.ev === 'revoked'), [], 'b saw no rebalance at all')
    t.same(b!.assignment().length + a2!.assignment().length, 4, 'both still hold their partitions')
    const g = (await python<{ groups: GroupView[] }>('group_admin.py', { op: 'confluent_list_groups', bootstrap, group })).groups[0]
    t.match(g, { state: 'Stable' }, 'the group stayed Stable')
    t.equal(g?.members.length, 2, 'two members (the old instance was replaced, not added)')
    // a static member that closes sends no LeaveGroup: it keeps its partitions until its session expires
    const closedAt = Date.now()
    await a2!.close()
    await waitUntil(() => b!.assignment().length === 4, 15_000, () => `b after a2 closed: ${b!.assignment()}`)
    const moved = Date.now() - closedAt
    t.comment(`static a2 closed; b held all four ${moved} ms later`)
    t.ok(moved >= staticSession - 1000, `not before the static member's session timeout (${moved} ms)`)
    await b!.close()
  })

  t.test('JoinGroup errors the client reports', async (t) => {
    const topic = uniqueTopic('gck-err')
    await pyCreateTopic(script, bootstrap, topic, 1)
    const low = startPyMember('low', { client: 'confluent', bootstrap, topic, group: uniqueTopic('g-low'),
      config: { 'session.timeout.ms': 500, 'heartbeat.interval.ms': 100 } })
    members(t, [low])
    const e = await low.next((e) => e.ev === 'error' || e.ev === 'assigned', 15_000)
    t.match(e, { ev: 'error', error: /session timeout/i }, 'a session timeout below group.min.session.timeout.ms: INVALID_SESSION_TIMEOUT')
    await low.close()

    const group = uniqueTopic('g-mixed')
    const [range] = members(t, [startPyMember('range', { client: 'confluent', bootstrap, topic, group, config: { 'partition.assignment.strategy': 'range' } })])
    await waitUntil(() => range!.assignment().length === 1, 15_000, 'the range member holds the partition')
    const [rr] = members(t, [startPyMember('rr', { client: 'confluent', bootstrap, topic, group, config: { 'partition.assignment.strategy': 'roundrobin' } })])
    const e2 = await rr!.next((e) => e.ev === 'error' || e.ev === 'assigned', 15_000)
    t.match(e2, { ev: 'error', error: /inconsistent group protocol/i }, 'a member with no protocol in common: INCONSISTENT_GROUP_PROTOCOL')
    t.same(range!.assignment(), [0], 'the existing member keeps its partition')
    await Promise.all([rr!.close(), range!.close()])
  })
})
