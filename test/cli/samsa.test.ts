// Runs the real `samsa` command (bin/samsa.js over dist/), building dist first when it is missing or older
// than the sources, as `npm test` does.
import t from 'tap'
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, statSync, readdirSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { RawClient } from '../helpers/raw-client.js'
import { tempDir } from '../helpers/broker.js'
import { API, createTopic, produceValues, fetchOne, values } from '../helpers/kafka.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const bin = join(root, 'bin', 'samsa.js')

function newestMtime (dir: string): number {
  let newest = 0
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name)
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

t.before(() => {
  const built = join(root, 'dist', 'cli', 'main.js')
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(root, 'src'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' })
  }
})

interface Run { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

function run (args: string[], timeoutMs = 10000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => { stdout += d })
    child.stderr.on('data', d => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`samsa ${args.join(' ')} did not exit`)) }, timeoutMs)
    child.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

t.test('--help prints usage and exits 0', async t => {
  const r = await run(['--help'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^Usage: samsa/)
  t.match(r.stdout, /--data-dir/)
  t.equal(r.stderr, '')
})

t.test('--version prints the package version', async t => {
  const r = await run(['--version'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^samsa \d+\.\d+\.\d+\n$/)
})

t.test('an unknown flag exits non-zero with a clear message', async t => {
  const r = await run(['--bogus'])
  t.not(r.code, 0)
  t.match(r.stderr, /^samsa: .*--bogus/)
  t.notMatch(r.stderr, /\n\s+at /, 'no stack trace')
  t.equal(r.stdout, '')
})

t.test('a bad config value exits non-zero naming the config', async t => {
  const r = await run(['--override', 'num.partitions=zero'])
  t.not(r.code, 0)
  t.match(r.stderr, /Invalid value zero for configuration num\.partitions/)
  const bad = await run(['--port', 'x'])
  t.not(bad.code, 0)
  t.match(bad.stderr, /--port/)
  const listener = await run(['-o', 'listeners=SSL://127.0.0.1:0'])
  t.not(listener.code, 0)
  t.match(listener.stderr, /only PLAINTEXT/)
})

t.test('start prints the ready line, serves clients, and SIGTERM exits 0', async t => {
  const dir = tempDir(t)
  const child = spawn(process.execPath, [bin, 'start', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', d => { stderr += d })
  const ready = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 10000)
    child.stdout.on('data', d => {
      out += d
      const line = out.split('\n').find(l => l.startsWith('samsa ready on '))
      if (line !== undefined) { clearTimeout(timer); resolve(line) }
    })
    child.on('exit', code => reject(new Error(`exited ${code} before ready; stderr: ${stderr}`)))
  })
  const m = /^samsa ready on (127\.0\.0\.1):(\d+) \(data dir (.*)\)$/.exec(ready)
  t.ok(m, ready)
  t.equal(m![3], dir)
  const port = Number(m![2])
  t.ok(port > 0, 'the bound port is announced, not 0')
  const c = await RawClient.connect(port)
  const av = await c.request(API.ApiVersions, 3, { clientSoftwareName: 'cli-test', clientSoftwareVersion: '1' })
  t.equal(av.errorCode, 0)
  await createTopic(c, { name: 'cli' })
  await produceValues(c, 'cli', ['hello'])
  t.same(values((await fetchOne(c, { topic: 'cli' })).batches), ['hello'])
  const exited = new Promise<{ code: number | null }>(resolve => child.on('exit', code => resolve({ code })))
  child.kill('SIGTERM')
  const { code } = await exited
  t.equal(code, 0, 'clean exit on SIGTERM')
  await c.closed
  t.ok(existsSync(join(dir, 'meta.properties')))
  t.ok(existsSync(join(dir, 'cli-0')))
})
