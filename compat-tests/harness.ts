// A real samsa process for compat tests and benchmarks: spawned from bin/samsa.js (which loads
// dist/, so `npm run build` must have run), on a free port, in a fresh temp data dir.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const samsaBin = join(repoRoot, 'bin', 'samsa.js')

const readyLine = /^samsa ready on (\S+):(\d+)/

export interface BrokerOptions {
  /** extra CLI flags, e.g. ['--num-partitions', '3'] */
  args?: string[]
  /** how long to wait for the ready line */
  readyTimeoutMs?: number
  /** an existing data dir to use (it is then not removed on cleanup) */
  dataDir?: string
  /** the script to run instead of bin/samsa.js (used to test the harness itself) */
  bin?: string
  host?: string
}

export interface Broker {
  host: string
  port: number
  /** "host:port", updated by restart() if the port changes */
  bootstrap: string
  dataDir: string
  pid: number
  /** everything the current process wrote to stderr so far */
  stderr(): string
  /** SIGTERM, then wait for exit; rejects if the exit was not clean (code 0) */
  stop(): Promise<void>
  /** stop, then start again on the same data dir, on the same port when it can be bound again */
  restart(): Promise<void>
  /** stop if running and remove the data dir (when the harness created it) */
  cleanup(): Promise<void>
}

interface Running {
  child: ChildProcess
  host: string
  port: number
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export class BrokerStartError extends Error {}

function launch(bin: string, args: string[], timeoutMs: number): Promise<Running> {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env },
  })
  let err = ''
  let out = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => {
    // keep memory bounded for long benchmark runs: the tail is what explains a failure
    err = (err + d).slice(-64 * 1024)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }))
  })
  return new Promise<Running>((resolve, reject) => {
    let settled = false
    const fail = (why: string): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      // give stderr a moment to drain so the error carries the broker's last words
      setTimeout(() => {
        reject(
          new BrokerStartError(
            `${why}\n  command: node ${[bin, ...args].join(' ')}\n  stdout: ${out.trim() || '(empty)'}\n  stderr: ${err.trim() || '(empty)'}`,
          ),
        )
      }, 50)
    }
    const timer = setTimeout(() => fail(`samsa did not print its ready line within ${timeoutMs} ms`), timeoutMs)
    child.on('error', (e) => fail(`could not spawn samsa: ${e.message}`))
    void exited.then(({ code, signal }) => fail(`samsa exited before it was ready (code ${code}, signal ${signal})`))
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (d: string) => {
      out += d
      if (settled) return
      for (const line of out.split('\n')) {
        const m = readyLine.exec(line)
        if (m) {
          settled = true
          clearTimeout(timer)
          resolve({ child, host: m[1]!, port: Number(m[2]), stderr: () => err, exited })
          return
        }
      }
    })
  })
}

async function terminate(r: Running, timeoutMs = 10_000): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const res = await Promise.race([r.exited, timedOut])
  clearTimeout(timer)
  if (res === 'timeout') {
    r.child.kill('SIGKILL')
    await r.exited
    throw new Error(`samsa did not exit within ${timeoutMs} ms of SIGTERM\n  stderr: ${r.stderr().trim()}`)
  }
  if (res.code !== 0) {
    throw new Error(`samsa exited with code ${res.code} signal ${res.signal} on SIGTERM\n  stderr: ${r.stderr().trim()}`)
  }
}

/** Start a samsa process; the caller owns cleanup() (see startBroker for the tap flavour). */
export async function spawnBroker(opts: BrokerOptions = {}): Promise<Broker> {
  const bin = opts.bin ?? samsaBin
  const host = opts.host ?? '127.0.0.1'
  const ownDir = opts.dataDir === undefined
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'samsa-compat-')))
  const timeoutMs = opts.readyTimeoutMs ?? 20_000
  const argsFor = (port: number): string[] => [
    'start',
    '--host',
    host,
    '--port',
    String(port),
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
    ...(opts.args ?? []),
  ]
  let current: Running | undefined
  try {
    current = await launch(bin, argsFor(0), timeoutMs)
  } catch (e) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
    throw e
  }
  const broker: Broker = {
    host: current.host,
    port: current.port,
    bootstrap: `${current.host}:${current.port}`,
    dataDir,
    pid: current.child.pid!,
    stderr: () => current?.stderr() ?? '',
    async stop() {
      if (!current) return
      const r = current
      current = undefined
      await terminate(r)
    },
    async restart() {
      await broker.stop()
      let next: Running | undefined
      let lastError: unknown
      // the old socket may linger briefly; retry the same port before giving it up
      for (let attempt = 0; attempt < 5 && !next; attempt++) {
        try {
          next = await launch(bin, argsFor(broker.port), timeoutMs)
        } catch (e) {
          lastError = e
          await new Promise((r) => setTimeout(r, 200))
        }
      }
      if (!next) {
        try {
          next = await launch(bin, argsFor(0), timeoutMs)
        } catch (e) {
          throw new BrokerStartError(
            `restart failed on port ${broker.port} (${String(lastError)}) and on a new port: ${String(e)}`,
          )
        }
      }
      current = next
      broker.host = next.host
      broker.port = next.port
      broker.bootstrap = `${next.host}:${next.port}`
      broker.pid = next.child.pid!
    },
    async cleanup() {
      try {
        if (current) await broker.stop()
      } finally {
        if (ownDir) await rm(dataDir, { recursive: true, force: true })
      }
    },
  }
  return broker
}

export interface Teardownable {
  teardown(fn: () => unknown): void
}

/** Start a samsa process that is stopped and removed when the test ends. */
export async function startBroker(t: Teardownable, opts: BrokerOptions = {}): Promise<Broker> {
  const broker = await spawnBroker(opts)
  t.teardown(() => broker.cleanup())
  return broker
}
