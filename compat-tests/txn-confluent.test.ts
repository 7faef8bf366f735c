// confluent-kafka-python (librdkafka) transactions against a real samsa: commit, abort, fencing by a
// second producer with the same transactional.id, an idempotent producer, and what read_committed and
// read_uncommitted consumers see.
import t from 'tap'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { startBroker } from './harness.js'
import { havePythonModule } from './tools.js'
import { uniqueTopic } from './records.js'

const skip = havePythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed for /usr/bin/python3'

t.test('confluent-kafka-python transactions', { skip }, async (t) => {
  const broker = await startBroker(t)
  const topic = uniqueTopic('ckp-txn')
  const out = await new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [join(import.meta.dirname, 'python', 'txn_confluent.py'), broker.bootstrap, topic], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
  const r = JSON.parse(out.trim().split('\n').pop()!) as { fenced: boolean, committed: string[], uncommitted: string[] }
  const c = Array.from({ length: 10 }, (_, i) => `c${i}`)
  const a = Array.from({ length: 10 }, (_, i) => `a${i}`)
  const d = Array.from({ length: 5 }, (_, i) => `d${i}`)
  const idem = Array.from({ length: 20 }, (_, i) => `i${i}`)
  t.ok(r.fenced, 'the first producer is fenced by the second')
  t.same(r.committed, [...c, ...d, 'e0', ...idem], 'read_committed sees exactly the committed records, in order, once')
  t.same(r.uncommitted.filter(v => v !== 'zombie'), [...c, ...a, ...d, 'e0', ...idem], 'read_uncommitted sees the aborted ones too')
})
