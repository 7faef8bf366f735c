// samsa consume over several topics, with fixed offsets and in consumer groups of both protocols.
import t from 'tap'
import { startTestBroker } from '../../helpers/broker.js'
import { KafkaClient } from '../../../src/client/client.js'
import { fetchCommitted } from '../../../src/client/group.js'
import { samsa } from './run.js'
import { liveConsume, type LiveConsumer } from './consume-live.js'

async function fill (port: number, topic: string, partition: number, values: string[]): Promise<void> {
  const r = await samsa(port, ['produce', topic, '-p', String(partition)], { stdin: values.map(v => v + '\n').join('') })
  if (r.code !== 0) throw new Error(r.stderr)
}

t.test('several topics with fixed offsets: positional list and comma list', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'ta', '-p', '2'])).code, 0)
  t.equal((await samsa(b.port, ['topic', 'create', 'tb', '-p', '1'])).code, 0)
  await fill(b.port, 'ta', 0, ['a0', 'a1'])
  await fill(b.port, 'ta', 1, ['a2'])
  await fill(b.port, 'tb', 0, ['b0', 'b1'])
  const want = ['ta 0 0 a0', 'ta 0 1 a1', 'ta 1 0 a2', 'tb 0 0 b0', 'tb 0 1 b1']
  for (const topics of [['ta', 'tb'], ['ta,tb'], ['tb,ta', 'ta']]) {
    const r = await samsa(b.port, ['consume', ...topics, '-e', '-f', '%T %p %o %v\\n'])
    t.equal(r.code, 0, r.stderr)
    t.same(r.stdout.trim().split('\n').sort(), want, topics.join(' '))
  }
  const p0 = await samsa(b.port, ['consume', 'ta', 'tb', '-e', '-p', '0', '-o', '1', '-f', '%T %v\\n'])
  t.same(p0.stdout.trim().split('\n').sort(), ['ta a1', 'tb b1'], '-p and -o apply to every topic')
  const missing = await samsa(b.port, ['consume', 'ta', 'tb', '-e', '-p', '1'])
  t.equal(missing.code, 2)
  t.match(missing.stderr, /topic tb has no partition 1/)
})

t.test('a classic group over several topics commits each topic', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '0' } })
  t.equal((await samsa(b.port, ['topic', 'create', 'ca', '-p', '2'])).code, 0)
  t.equal((await samsa(b.port, ['topic', 'create', 'cb', '-p', '1'])).code, 0)
  await fill(b.port, 'ca', 0, ['x', 'y'])
  await fill(b.port, 'ca', 1, ['z'])
  await fill(b.port, 'cb', 0, ['w'])
  const r = await samsa(b.port, ['consume', 'ca,cb', '-g', 'multi', '-e', '-f', '%T:%v\\n'])
  t.equal(r.code, 0, r.stderr)
  t.same(r.stdout.trim().split('\n').sort(), ['ca:x', 'ca:y', 'ca:z', 'cb:w'])
  const d = JSON.parse((await samsa(b.port, ['group', 'describe', 'multi', '--json'])).stdout)
  t.same(d.offsets.map((o: any) => [o.topic, o.partition, o.committed]), [['ca', 0, 2], ['ca', 1, 1], ['cb', 0, 1]])
  await fill(b.port, 'cb', 0, ['v'])
  const again = await samsa(b.port, ['consume', 'ca', 'cb', '-g', 'multi', '-e', '-f', '%T:%v\\n'])
  t.equal(again.stdout, 'cb:v\n', 'resumes from the committed offsets of both topics')
})

t.test('KIP-848 consumer group: two CLI members split the partitions, then one takes all', async t => {
  const b = await startTestBroker(t, { config: { 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.min.heartbeat.interval.ms': '300' } })
  t.equal((await samsa(b.port, ['topic', 'create', 'ka', '-p', '3'])).code, 0)
  t.equal((await samsa(b.port, ['topic', 'create', 'kb', '-p', '1'])).code, 0)
  const parts: Array<[string, number]> = [['ka', 0], ['ka', 1], ['ka', 2], ['kb', 0]]
  const produced: string[] = []
  let round = 0
  const produceRound = async (): Promise<void> => {
    for (const [topic, p] of parts) {
      const v = `${topic}-${p}-r${round}`
      await fill(b.port, topic, p, [v])
      produced.push(v)
    }
    round++
  }
  const all = (...cs: LiveConsumer[]): string[] => cs.flatMap(c => c.lines())
  const args = ['ka', 'kb', '-g', 'kg', '--group-protocol', 'consumer', '-f', '%v\\n']

  await produceRound()
  const a = liveConsume(b.port, args)
  t.teardown(async () => { await a.stop() })
  await a.until(c => c.lines().length === 4)
  const bb = liveConsume(b.port, args)
  t.teardown(async () => { await bb.stop() })
  // Rounds until the second member has been given partitions (the first has revoked and committed them).
  for (let i = 0; i < 40 && bb.lines().length === 0; i++) {
    await produceRound()
    await a.until(() => all(a, bb).length === produced.length)
  }
  t.ok(bb.lines().length > 0, 'the second member was given partitions')
  await produceRound()
  await a.until(() => all(a, bb).length === produced.length)
  const last = `r${round - 1}`
  const lastA = a.lines().filter(l => l.endsWith(last)).length
  const lastB = bb.lines().filter(l => l.endsWith(last)).length
  t.same([lastA, lastB], [2, 2], 'the uniform assignor split four partitions two and two')
  t.same(all(a, bb).sort(), [...produced].sort(), 'each record printed exactly once across the members')

  t.equal(await a.stop(), 0, a.stderr)
  await produceRound()
  await bb.until(() => all(a, bb).length === produced.length)
  t.equal(bb.lines().filter(l => l.endsWith(`r${round - 1}`)).length, 4, 'the remaining member took every partition')
  t.same(all(a, bb).sort(), [...produced].sort(), 'still exactly once after the first member left')
  t.equal(await bb.stop(), 0, bb.stderr)

  const client = new KafkaClient({ brokers: [`127.0.0.1:${b.port}`] })
  t.teardown(() => client.close())
  const committed = await fetchCommitted(client, 'kg', ['ka', 'kb'])
  t.same([...committed].map(([topic, ps]) => [topic, [...ps].sort(([x], [y]) => x - y).map(([p, o]) => [p, Number(o)])]).sort(), [['ka', [[0, round], [1, round], [2, round]]], ['kb', [[0, round]]]], 'every partition committed at its end')
  // A member joining later starts from those offsets: nothing left to print.
  const late = await samsa(b.port, ['consume', 'ka', 'kb', '-g', 'kg', '--group-protocol', 'consumer', '-n', '1'], { signal: AbortSignal.timeout(2500) })
  t.equal(late.code, 0, late.stderr)
  t.equal(late.stdout, '')
})
