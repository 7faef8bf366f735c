// Running the non-Node clients (kcat, Debian's python3 with confluent-kafka / kafka-python) as
// child processes with a hard time limit, collecting everything they print.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot } from './harness.js'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  timedOut: boolean
}

export interface RunOptions {
  input?: string | Buffer
  timeoutMs?: number
  env?: NodeJS.ProcessEnv
}

export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 30_000
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr, timedOut })
    })
    child.stdin.on('error', () => {
      // a tool that exits early closes its stdin; its exit code tells the story
    })
    child.stdin.end(opts.input ?? '')
  })
}

/** Like run() but rejects unless the command exited 0 in time, with its output in the message. */
export async function runOk(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts)
  if (r.code !== 0 || r.timedOut) {
    throw new Error(
      `${cmd} ${args.join(' ')} ${r.timedOut ? 'timed out' : `exited ${r.code ?? r.signal}`}\n` +
        `  stdout: ${r.stdout.slice(-4000).trim()}\n  stderr: ${r.stderr.slice(-4000).trim()}`,
    )
  }
  return r
}

export const kcatPath = '/usr/bin/kcat'
// Debian's python3-confluent-kafka and python3-kafka are importable only by Debian's own python
export const debianPython = '/usr/bin/python3'
export const pythonDir = join(repoRoot, 'compat-tests', 'python')

export function haveKcat(): boolean {
  return existsSync(kcatPath)
}

/** Whether Debian's python3 can import the given module. */
export function havePythonModule(mod: string): boolean {
  if (!existsSync(debianPython)) return false
  return spawnSync(debianPython, ['-c', `import ${mod}`], { stdio: 'ignore', timeout: 20_000 }).status === 0
}

/** librdkafka settings that keep the consumer quick and the producer off InitProducerId. */
export const rdkafkaFast = ['-X', 'fetch.wait.max.ms=20', '-X', 'enable.idempotence=false', '-X', 'socket.timeout.ms=10000']

export function kcat(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return runOk(kcatPath, args, opts)
}

/** Run a script in compat-tests/python with Debian's python3; its stdout is JSON. */
export async function python<T = unknown>(script: string, request: unknown, opts: RunOptions = {}): Promise<T> {
  const r = await runOk(debianPython, [join(pythonDir, script)], { ...opts, input: JSON.stringify(request) })
  try {
    return JSON.parse(r.stdout) as T
  } catch {
    throw new Error(`${script} printed no JSON\n  stdout: ${r.stdout.trim()}\n  stderr: ${r.stderr.trim()}`)
  }
}
