import t from 'tap'
import { startTestBroker } from '../../helpers/broker.js'
import { partitionForKey } from '../../../src/client/partitioner.js'
import { samsa } from './run.js'

t.test('produce with keys, headers and each compression, then consume back exactly', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'events', '-p', '3'])).code, 0)
  const codecs = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
  const lines = codecs.map((c, i) => `key${i}:value ${c} ${i}`)
  for (const [i, c] of codecs.entries()) {
    const r = await samsa(b.port, ['produce', 'events', '--key-delimiter', ':', '-H', 'h1=a=b', '-H', 'h2=x', '-z', c, '-v'], { stdin: lines[i] + '\n' })
    t.equal(r.code, 0, r.stderr)
    // Keyed records land where Java's default partitioner would put them.
    t.match(r.stdout, new RegExp(`^events-${partitionForKey(Buffer.from(`key${i}`), 3)}@\\d+\\n$`))
  }
  const r = await samsa(b.port, ['consume', 'events', '-e', '--json'])
  t.equal(r.code, 0, r.stderr)
  const got = r.stdout.trim().split('\n').map(l => JSON.parse(l))
  t.same(got.map(x => `${x.key}:${x.value}`).sort(), [...lines].sort())
  for (const x of got) {
    t.same(x.headers, [{ key: 'h1', value: 'a=b' }, { key: 'h2', value: 'x' }])
    t.equal(x.partition, partitionForKey(Buffer.from(x.key), 3))
  }
  const f = await samsa(b.port, ['consume', 'events', '-e', '-p', String(partitionForKey(Buffer.from('key0'), 3)), '-f', '%k|%v|%h|%p|%o|%T\\n'])
  t.equal(f.code, 0, f.stderr)
  t.match(f.stdout, /^key0\|value none 0\|h1=a=b,h2=x\|\d\|0\|events\n/m)
})

t.test('produce to a partition, count and offsets, timestamps', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'logs', '-p', '2'])).code, 0)
  const before = Date.now()
  const p = await samsa(b.port, ['produce', 'logs', '-p', '1', '-k', 'k', '-v', '--json'], { stdin: 'a\nb\nc\nd\n' })
  t.equal(p.code, 0, p.stderr)
  t.same(p.stdout.trim().split('\n').map(l => JSON.parse(l)), [0, 1, 2, 3].map(o => ({ topic: 'logs', partition: 1, offset: o })))
  const all = await samsa(b.port, ['consume', 'logs', '-e', '-f', '%p:%o:%v\\n'])
  t.equal(all.stdout, '1:0:a\n1:1:b\n1:2:c\n1:3:d\n')
  const two = await samsa(b.port, ['consume', 'logs', '-n', '2', '-o', '1'])
  t.equal(two.stdout, 'b\nc\n')
  const tail = await samsa(b.port, ['consume', 'logs', '-e', '-o', '-1'])
  t.equal(tail.stdout, 'd\n')
  const end = await samsa(b.port, ['consume', 'logs', '-e', '-o', 'end'])
  t.equal(end.stdout, '')
  const ts = await samsa(b.port, ['consume', 'logs', '-e', '--timestamp', String(before), '-f', '%v %t\\n'])
  t.equal(ts.code, 0, ts.stderr)
  t.equal(ts.stdout.split('\n').filter(Boolean).length, 4)
  for (const l of ts.stdout.trim().split('\n')) t.ok(Number(l.split(' ')[1]) >= before)
  const future = await samsa(b.port, ['consume', 'logs', '-e', '--timestamp', String(Date.now() + 3600000)])
  t.equal(future.stdout, '')
})

t.test('null keys stick to one partition per batch; acks=0', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'sticky', '-p', '4'])).code, 0)
  const p = await samsa(b.port, ['produce', 'sticky', '-v'], { stdin: 'x\ny\nz\n' })
  t.equal(p.code, 0, p.stderr)
  const parts = new Set(p.stdout.trim().split('\n').map(l => l.split('@')[0]))
  t.equal(parts.size, 1, 'one small batch goes to one partition')
  const z = await samsa(b.port, ['produce', 'sticky', '--acks', '0', '-p', '0'], { stdin: 'fire\n' })
  t.equal(z.code, 0, z.stderr)
  let seen = ''
  for (let i = 0; i < 20 && !seen.includes('fire'); i++) seen = (await samsa(b.port, ['consume', 'sticky', '-e', '-p', '0'])).stdout
  t.match(seen, /fire/)
})

t.test('errors and usage', async t => {
  const b = await startTestBroker(t, { config: { 'auto.create.topics.enable': 'false' } })
  const missing = await samsa(b.port, ['produce', 'nope'], { stdin: 'x\n' })
  t.equal(missing.code, 1)
  t.match(missing.stderr, /UNKNOWN_TOPIC_OR_PARTITION/)
  const c = await samsa(b.port, ['consume', 'nope', '-e'])
  t.equal(c.code, 1)
  t.match(c.stderr, /UNKNOWN_TOPIC_OR_PARTITION/)
  t.equal((await samsa(b.port, ['produce', 't', '-z', 'brotli'])).code, 2)
  t.equal((await samsa(b.port, ['consume', 't', '-o', 'yesterday'])).code, 2)
  t.equal((await samsa(b.port, ['consume', 't', '-f', '%q'])).code, 2)
  t.equal((await samsa(b.port, ['consume', 't', '--bogus'])).code, 2)
  t.equal((await samsa(b.port, ['consume'])).code, 2)
  const help = await samsa(b.port, ['consume', '--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /^Usage: samsa consume TOPIC \[TOPIC\.\.\.\]/)
  for (const o of ['--isolation-level', 'read_committed', '--group-protocol', 'consumer (KIP-848']) t.ok(help.stdout.includes(o), `help mentions ${o}`)
})
