// The harness itself, driven by small stand-in scripts: failures to start must carry the process's
// stderr, a silent process must time out and be killed, restart must reuse the data dir and port.
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrokerStartError, spawnBroker } from './harness.js'

async function script(t: { teardown(fn: () => unknown): void }, body: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-harness-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = join(dir, 'fake.mjs')
  await writeFile(file, body)
  return file
}

t.test('a process that dies before it is ready: error carries its stderr', async (t) => {
  const bin = await script(t, `process.stderr.write('boom: cannot open data dir\\n'); process.exit(3)\n`)
  const err = await spawnBroker({ bin }).then(
    () => null,
    (e: unknown) => e,
  )
  t.ok(err instanceof BrokerStartError, 'BrokerStartError')
  t.match(String(err), /exited before it was ready \(code 3/)
  t.match(String(err), /boom: cannot open data dir/)
})

t.test('a process that never prints the ready line times out and is killed', async (t) => {
  const bin = await script(t, `console.log('starting'); process.stderr.write('stuck\\n'); setInterval(() => {}, 1000)\n`)
  const started = Date.now()
  // Long enough for Node to boot the stand-in on a loaded CI machine, so its output is there to report.
  const err = await spawnBroker({ bin, readyTimeoutMs: 3000 }).then(
    () => null,
    (e: unknown) => e,
  )
  t.ok(err instanceof BrokerStartError)
  t.match(String(err), /did not print its ready line within 3000 ms/)
  t.match(String(err), /stuck/)
  t.match(String(err), /stdout: starting/)
  t.ok(Date.now() - started < 10000, 'gave up promptly')
})

// Binds nothing; echoes the requested port (or invents one for 0) the way samsa's ready line does.
const fakeReady = `
const args = process.argv.slice(2)
const get = (f) => args[args.indexOf(f) + 1]
const port = get('--port') === '0' ? 40000 + Math.floor(Math.random() * 1000) : get('--port')
console.log('samsa ready on ' + get('--host') + ':' + port + ' (data dir ' + get('--data-dir') + ')')
process.on('SIGTERM', () => process.exit(0))
setInterval(() => {}, 1000)
`

t.test('ready line parsed; restart keeps data dir and port; cleanup removes the dir', async (t) => {
  const bin = await script(t, fakeReady)
  const b = await spawnBroker({ bin })
  t.equal(b.host, '127.0.0.1')
  t.ok(b.port >= 40000 && b.port < 41000, `port ${b.port} parsed`)
  t.equal(b.bootstrap, `127.0.0.1:${b.port}`)
  t.ok(existsSync(b.dataDir), 'data dir exists')
  const { port, dataDir, pid } = b
  await b.restart()
  t.equal(b.port, port, 'same port after restart')
  t.equal(b.dataDir, dataDir, 'same data dir')
  t.not(b.pid, pid, 'a new process')
  await b.cleanup()
  t.notOk(existsSync(dataDir), 'data dir removed')
})

t.test('stop() rejects when the process exits uncleanly on SIGTERM', async (t) => {
  const bin = await script(t, fakeReady.replace('process.exit(0)', "(process.stderr.write('crash on shutdown'), process.exit(1))"))
  const b = await spawnBroker({ bin })
  t.teardown(() => rm(b.dataDir, { recursive: true, force: true }))
  await t.rejects(b.stop(), /exited with code 1[\s\S]*crash on shutdown/)
})
