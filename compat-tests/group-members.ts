// Consumer-group members as child processes (python/group_member.py, kcat -G) whose assignments
// and records the group tests watch, plus the waiting and checking those tests share.
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { debianPython, kcatPath, pythonDir, rdkafkaFast } from './tools.js'
import type { Asserts, ConsumedRecord, TestRecord } from './records.js'

export interface MemberEvent {
  ev: string
  partitions?: number[]
  assignment?: number[]
  partition?: number
  offset?: number
  key?: string | null
  value?: string | null
  headers?: [string, string][]
  offsets?: Record<string, unknown>
  error?: string
  at: number
}

/** A member process: stdout lines become events, stderr is kept for failure messages. */
export class MemberProcess {
  readonly events: MemberEvent[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private err = ''
  private readonly child: ChildProcess

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    parseOut: (line: string) => Omit<MemberEvent, 'at'> | undefined,
    parseErr: (line: string) => Omit<MemberEvent, 'at'> | undefined = () => undefined,
  ) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })))
    this.child.stdin!.on('error', () => {
      // a member that died closed its stdin; its exit tells the story
    })
    lines(this.child.stdout!, (l) => {
      const e = parseOut(l)
      if (e) this.events.push({ ...e, at: Date.now() })
    })
    lines(this.child.stderr!, (l) => {
      this.err = (this.err + l + '\n').slice(-16 * 1024)
      const e = parseErr(l)
      if (e) this.events.push({ ...e, at: Date.now() })
    })
  }

  get pid(): number {
    return this.child.pid!
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  stderr(): string {
    return this.err
  }

  send(cmd: object): void {
    this.child.stdin!.write(JSON.stringify(cmd) + '\n')
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal)
  }

  /** The partitions the member holds according to its last rebalance callback. */
  assignment(): number[] {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!
      if (e.assignment) return e.assignment
    }
    return []
  }

  records(): ConsumedRecord[] {
    return this.events
      .filter((e) => e.ev === 'record')
      .map((e) => ({ partition: e.partition!, offset: e.offset!, key: e.key ?? null, value: e.value ?? null, headers: e.headers ?? [] }))
  }

  /** Wait for the next event after `since` (an index into events) that matches. */
  async next(pred: (e: MemberEvent) => boolean, timeoutMs: number, since = 0): Promise<MemberEvent> {
    let found: MemberEvent | undefined
    await waitUntil(
      () => (found = this.events.slice(since).find(pred)) !== undefined,
      timeoutMs,
      () => `${this.name}: no matching event; events ${summary(this.events)}; stderr ${this.err.slice(-2000)}`,
    )
    return found!
  }

  /** Close cleanly (the member leaves the group) and wait for the process to end. */
  async close(timeoutMs = 15_000): Promise<void> {
    if (!this.running) return
    this.send({ cmd: 'close' })
    await withTimeout(this.exited, timeoutMs, `${this.name} did not exit after close; stderr ${this.err.slice(-2000)}`)
  }
}

function lines(stream: NodeJS.ReadableStream, on: (line: string) => void): void {
  let buf = ''
  stream.setEncoding('utf8')
  stream.on('data', (d: string) => {
    buf += d
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (l.trim() !== '') on(l)
    }
  })
}

function summary(events: MemberEvent[]): string {
  return JSON.stringify(events.filter((e) => e.ev !== 'record').slice(-12).map(({ at: _at, ...e }) => e)) +
    ` + ${events.filter((e) => e.ev === 'record').length} records`
}

export type PyClient = 'confluent' | 'kafka-python'

export interface PyMemberOptions {
  client: PyClient
  bootstrap: string
  topic: string
  group: string
  config?: Record<string, unknown>
  commitEach?: boolean
  limit?: number
  metadata?: string
}

export function startPyMember(name: string, o: PyMemberOptions): MemberProcess {
  const req = {
    client: o.client,
    bootstrap: o.bootstrap,
    topic: o.topic,
    group: o.group,
    config: o.config ?? {},
    commit_each: o.commitEach ?? false,
    limit: o.limit,
    metadata: o.metadata,
  }
  return new MemberProcess(name, debianPython, [join(pythonDir, 'group_member.py'), JSON.stringify(req)], (l) => {
    try {
      return JSON.parse(l) as MemberEvent
    } catch {
      return { ev: 'garbage', error: l }
    }
  })
}

// kcat -G reports rebalances on stderr as "% Group G rebalanced (memberid M): assigned: t [0], t [1]"
const kcatRebalance = /rebalanced.*: (assigned|revoked): (.*)$/

/** kcat's balanced consumer (-G) printing records as JSON (-J); extra are more kcat flags. */
export function startKcatMember(name: string, bootstrap: string, group: string, topic: string, extra: string[] = []): MemberProcess {
  const args = ['-b', bootstrap, '-G', group, '-J', ...rdkafkaFast, ...extra, topic]
  let current: number[] = []
  return new MemberProcess(
    name,
    kcatPath,
    args,
    (l) => {
      try {
        const j = JSON.parse(l) as { partition: number; offset: number; key: string | null; payload: string | null; headers?: string[] }
        const headers: [string, string][] = []
        for (let i = 0; i + 1 < (j.headers ?? []).length; i += 2) headers.push([j.headers![i]!, j.headers![i + 1]!])
        return { ev: 'record', partition: j.partition, offset: j.offset, key: j.key, value: j.payload, headers }
      } catch {
        return { ev: 'garbage', error: l }
      }
    },
    (l) => {
      const m = kcatRebalance.exec(l)
      if (!m) return undefined
      const parts = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))
      current = m[1] === 'assigned' ? parts.sort((a, b) => a - b) : []
      return { ev: m[1]!, partitions: parts, assignment: current }
    },
  )
}

export async function waitUntil(cond: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<number> {
  const start = Date.now()
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
  return Date.now() - start
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/** Assignments that are pairwise disjoint, non-empty, and together cover 0..n-1. */
export function isSplit(assignments: number[][], n: number): boolean {
  const all = assignments.flat().sort((a, b) => a - b)
  return assignments.every((a) => a.length > 0) && all.length === n && all.every((p, i) => p === i)
}

/**
 * Each partition's records came from exactly one consumer, and together they are exactly what was
 * produced (content and offsets) with nothing twice.
 */
export function checkSplitRecords(
  t: Asserts,
  produced: (TestRecord & { offset: number })[],
  perMember: Map<string, ConsumedRecord[]>,
  partitions: number,
  checkHeaders = true,
): void {
  for (let p = 0; p < partitions; p++) {
    const owners = [...perMember].filter(([, rs]) => rs.some((r) => r.partition === p)).map(([n]) => n)
    const want = produced.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset)
    if (want.length === 0) continue
    t.equal(owners.length, 1, `partition ${p} consumed by exactly one member (${owners.join(', ')})`)
    const got = [...perMember.values()].flat().filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset)
    t.same(
      got.map((r) => ({ offset: r.offset, key: r.key, value: r.value, ...(checkHeaders ? { headers: r.headers } : {}) })),
      want.map((r) => ({ offset: r.offset, key: r.key, value: r.value, ...(checkHeaders ? { headers: r.headers } : {}) })),
      `partition ${p}: every record once, with its key, value${checkHeaders ? ', headers' : ''} and offset`,
    )
  }
}

/** Broker flags that keep group timing short for tests. */
export const groupBrokerArgs = [
  '-o',
  'group.min.session.timeout.ms=1000',
  '-o',
  'group.initial.rebalance.delay.ms=200',
  '--num-partitions',
  '1',
]
