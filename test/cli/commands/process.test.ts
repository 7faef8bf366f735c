// The client commands as a real process: dispatch from main, exit codes, $SAMSA_BROKERS, and SIGINT
// ending a group consume with a commit. Runs src/cli/main.ts through tsx so no dist build is needed.
import t from 'tap'
import { spawn } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startTestBroker } from '../../helpers/broker.js'
import { samsa } from './run.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
const ENTRY = "const { main } = await import('./src/cli/main.ts'); main(process.argv.slice(1)).then(c => { if (c !== undefined) process.exitCode = c })"

interface Run { code: number | null, stdout: string, stderr: string }

function cli (args: string[], opts: { env?: Record<string, string>, stdin?: string, onStdout?: (s: string, kill: () => void) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, ...args], { cwd: root, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', d => { stdout += d; opts.onStdout?.(stdout, () => child.kill('SIGINT')) })
    child.stderr.on('data', d => { stderr += d })
    child.stdin.end(opts.stdin ?? '')
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`samsa ${args.join(' ')} did not exit; stderr: ${stderr}`)) }, 15000)
    child.on('exit', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
  })
}

t.test('help, exit codes and $SAMSA_BROKERS', async t => {
  const b = await startTestBroker(t)
  const brokers = `127.0.0.1:${b.port}`
  const [help, refused, created] = await Promise.all([
    cli(['help']),
    cli(['topic', 'list', '--brokers', '127.0.0.1:1']),
    cli(['topic', 'create', 'proc', '-p', '2'], { env: { SAMSA_BROKERS: brokers } })
  ])
  t.equal(help.code, 0)
  for (const c of ['start', 'topic', 'produce', 'consume', 'group', 'cluster', 'config']) t.match(help.stdout, new RegExp(`\\n  ${c}\\s`))
  t.equal(refused.code, 1)
  t.match(refused.stderr, /cannot connect to 127\.0\.0\.1:1: ECONNREFUSED/)
  t.notMatch(refused.stderr, /\n\s+at /, 'no stack trace')
  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /^TOPIC\s+ID\s+PARTITIONS\s+REPLICAS\nproc\s/)
})

t.test('SIGINT ends a group consume, committing what was printed', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '0' } })
  const brokers = `127.0.0.1:${b.port}`
  t.equal((await samsa(b.port, ['topic', 'create', 'sig', '-p', '1'])).code, 0)
  const p = await samsa(b.port, ['produce', 'sig'], { stdin: 'one\ntwo\n' })
  t.equal(p.code, 0, p.stderr)
  const r = await cli(['consume', 'sig', '-g', 'sigs', '--brokers', brokers], { onStdout: (out, kill) => { if (out === 'one\ntwo\n') kill() } })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stdout, 'one\ntwo\n')
  const d = JSON.parse((await samsa(b.port, ['group', 'describe', 'sigs', '--json'])).stdout)
  t.equal(d.state, 'Empty')
  t.same(d.offsets.map((o: any) => o.committed), [2])
})

t.test('a reader that goes away (| head) ends the command quietly', async t => {
  const b = await startTestBroker(t)
  const brokers = `127.0.0.1:${b.port}`
  const lines = Array.from({ length: 20000 }, (_, i) => `record-${i}-${'x'.repeat(100)}`).join('\n') + '\n'
  t.equal((await samsa(b.port, ['topic', 'create', 'many'])).code, 0)
  const produced = await samsa(b.port, ['produce', 'many'], { stdin: lines })
  t.equal(produced.code, 0, produced.stderr)
  const r = await new Promise<{ code: number | null, stderr: string, got: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, 'consume', 'many', '-e', '--brokers', brokers], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    let got = ''
    child.stderr.on('data', d => { stderr += d })
    child.stdout.once('data', d => { got = String(d); child.stdout.destroy() })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`consume did not exit; stderr: ${stderr}`)) }, 15000)
    child.on('exit', code => { clearTimeout(timer); resolve({ code, stderr, got }) })
  })
  t.match(r.got, /^record-0-/, 'it was printing')
  t.equal(r.code, 0)
  t.equal(r.stderr, '', 'no EPIPE stack trace')
})
