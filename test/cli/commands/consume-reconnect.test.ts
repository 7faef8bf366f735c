// samsa consume survives its broker restarting: it waits, says so once, and resumes where it was.
import t from 'tap'
import { startTestBroker, tempDir } from '../../helpers/broker.js'
import { sleep } from '../../../src/client/client.js'
import { backoffMs, isTransient } from '../../../src/cli/commands/consume.js'
import { ConnectionError, KafkaError, RequestTimeoutError } from '../../../src/client/errors.js'
import { samsa } from './run.js'
import { liveConsume } from './consume-live.js'

async function fill (port: number, topic: string, partition: number, values: string[]): Promise<void> {
  const r = await samsa(port, ['produce', topic, '-p', String(partition)], { stdin: values.map(v => v + '\n').join('') })
  if (r.code !== 0) throw new Error(r.stderr)
}

t.test('backoff and what counts as an outage', async t => {
  t.same([0, 1, 2, 3, 4, 5, 6, 50].map(backoffMs), [100, 200, 400, 800, 1600, 2000, 2000, 2000])
  t.ok(isTransient(new ConnectionError('cannot connect to 127.0.0.1:1: ECONNREFUSED')))
  t.ok(isTransient(new RequestTimeoutError('timed out')))
  t.ok(isTransient(new KafkaError(6, 'fetch')), 'NOT_LEADER_OR_FOLLOWER is retriable')
  t.notOk(isTransient(new KafkaError(29, 'fetch')), 'TOPIC_AUTHORIZATION_FAILED is not')
  t.notOk(isTransient(new Error('bug')))
})

for (const mode of ['offsets', 'classic', 'consumer'] as const) {
  t.test(`broker restarted on the same port and data dir mid-consume (${mode}): every record exactly once`, async t => {
    const dir = tempDir(t)
    const config = { 'group.initial.rebalance.delay.ms': '0', 'group.consumer.heartbeat.interval.ms': '300', 'group.consumer.min.heartbeat.interval.ms': '300' }
    const first = await startTestBroker(t, { dir, config })
    const port = first.port
    t.equal((await samsa(port, ['topic', 'create', 'rc', '-p', '2'])).code, 0)
    const produced: string[] = []
    const round = async (p: number, tag: string): Promise<void> => {
      for (const part of [0, 1]) {
        const vs = Array.from({ length: 5 }, (_, i) => `${part}-${tag}-${i}`)
        await fill(p, 'rc', part, vs)
        produced.push(...vs)
      }
    }
    await round(port, 'before')
    const group = mode === 'offsets' ? [] : ['-g', 'rcg', '--group-protocol', mode]
    const c = liveConsume(port, ['rc', ...group])
    t.teardown(async () => { await c.stop() })
    await c.until(x => x.lines().length === 10)
    await first.stop()
    await c.until(x => x.stderr !== '', 10000)
    // Down long enough for several retries.
    await sleep(700)
    const second = await startTestBroker(t, { dir, config: { ...config, listeners: `PLAINTEXT://127.0.0.1:${port}` } })
    t.equal(second.port, port)
    await round(port, 'after')
    await c.until(x => x.lines().length >= produced.length, 20000)
    await sleep(300)
    t.same(c.lines().sort(), [...produced].sort(), 'every record exactly once')
    t.equal(c.stderr.split('\n').filter(Boolean).length, 1, `one line for the outage: ${c.stderr}`)
    t.match(c.stderr, /^samsa consume: .*retrying until the broker is back\n$/)
    t.equal(await c.stop(), 0)
  })
}
