// samsa consume TOPIC...: from chosen offsets, or as a member of a consumer group (classic protocol with
// the range assignor, or KIP-848's consumer protocol) that commits what it has printed (periodically, when
// partitions are taken away and on exit). A broker that goes away mid-consume is waited for.
import { parse, withClient, intOption, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { parseFormat, formatRecord, recordJson } from './format.js'
import { Fetcher, resolveStart, type StartSpec } from '../../client/consumer.js'
import { GroupMember, type Assignment, type OffsetMap } from '../../client/group.js'
import { ConsumerGroupMember } from '../../client/kip848-member.js'
import { isolationCode, type IsolationLevel } from '../../client/read-committed.js'
import { ConnectionError, KafkaError, RequestTimeoutError } from '../../client/errors.js'

const HELP = `Usage: samsa consume TOPIC [TOPIC...] [options]

Prints records of each TOPIC (several may be given, also as a comma-separated list), by default each
value on its own line, until interrupted (or -e / -n).

Options:
  -o, --offset WHERE         beginning, end, N (an offset) or -N (N before the end); default beginning.
                             With --group, where to start partitions that have no committed offset.
      --timestamp MS         start at the first record with a timestamp at or after MS
  -p, --partitions LIST      comma-separated partitions of every TOPIC (default all; not with --group)
  -n, --num N                exit after N records
  -e, --exit-at-end          exit once every partition is read to its end
      --isolation-level L    read_uncommitted (default: every record, as Kafka's console consumer) or
                             read_committed (only committed transactions, up to the last stable offset)
  -g, --group GROUP          consume as a member of consumer group GROUP; offsets are committed every
                             5 s, when partitions are taken away and on exit
      --group-protocol P     classic (default: JoinGroup/SyncGroup, range assignor per topic) or
                             consumer (KIP-848: the broker assigns partitions through heartbeats)
  -f, --format FMT           kcat-style format: %k key, %v value, %h headers (k=v,...), %t timestamp,
                             %p partition, %o offset, %T topic, %K/%S key/value length, \\n \\t escapes
      --json                 one JSON object per record

If the broker goes away while consuming, the consumer retries (100 ms doubling to 2 s), prints one line
to stderr per outage and resumes where it was.
${BROKERS_HELP}
`

const OPTIONS = {
  offset: { type: 'string', short: 'o' },
  timestamp: { type: 'string' },
  partitions: { type: 'string', short: 'p' },
  num: { type: 'string', short: 'n' },
  'exit-at-end': { type: 'boolean', short: 'e' },
  'isolation-level': { type: 'string' },
  group: { type: 'string', short: 'g' },
  'group-protocol': { type: 'string' },
  format: { type: 'string', short: 'f' },
  json: { type: 'boolean' }
} as const

const AUTO_COMMIT_MS = 5000
/** ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH. */
const MEMBERSHIP_ERRORS = new Set([22, 25, 27, 110, 113])
const BACKOFF_START_MS = 100
const BACKOFF_MAX_MS = 2000

export function parseStart (offset: string | undefined, timestamp: string | undefined): StartSpec {
  if (offset !== undefined && timestamp !== undefined) throw new UsageError('--offset and --timestamp cannot be combined')
  if (timestamp !== undefined) {
    if (!/^\d+$/.test(timestamp)) throw new UsageError(`--timestamp must be milliseconds since the epoch, got ${timestamp}`)
    return { kind: 'timestamp', timestamp: BigInt(timestamp) }
  }
  const o = offset ?? 'beginning'
  if (o === 'beginning' || o === 'start' || o === 'earliest') return { kind: 'beginning' }
  if (o === 'end' || o === 'latest') return { kind: 'end' }
  if (/^\d+$/.test(o)) return { kind: 'offset', offset: BigInt(o) }
  if (/^-\d+$/.test(o)) return { kind: 'fromEnd', count: -BigInt(o) }
  throw new UsageError(`--offset must be beginning, end, N or -N, got ${o}`)
}

/** TOPIC arguments, each possibly a comma list, in order without repeats. */
export function parseTopics (args: string[]): string[] {
  const out: string[] = []
  for (const a of args) {
    for (const t of a.split(',').map(s => s.trim())) {
      if (t === '') throw new UsageError(`empty topic name in ${JSON.stringify(a)}`)
      if (!out.includes(t)) out.push(t)
    }
  }
  return out
}

export function parseIsolation (s: string | undefined): IsolationLevel {
  if (s === undefined || s === 'read_uncommitted') return 'read_uncommitted'
  if (s === 'read_committed') return 'read_committed'
  throw new UsageError(`--isolation-level must be read_uncommitted or read_committed, got ${s}`)
}

export type GroupProtocol = 'classic' | 'consumer'

export function parseGroupProtocol (s: string | undefined, group: string | undefined): GroupProtocol {
  if (s !== undefined && group === undefined) throw new UsageError('--group-protocol needs --group')
  if (s === undefined || s === 'classic') return 'classic'
  if (s === 'consumer') return 'consumer'
  throw new UsageError(`--group-protocol must be classic or consumer, got ${s}`)
}

/** A dropped or refused connection, or a request that timed out: waited out rather than fatal. */
export function isTransient (err: unknown): boolean {
  return err instanceof ConnectionError || err instanceof RequestTimeoutError || (err instanceof KafkaError && err.retriable)
}

/** 100 ms, doubling per failed attempt, at most 2 s. */
export function backoffMs (attempt: number): number {
  return Math.min(BACKOFF_START_MS * 2 ** Math.min(attempt, 10), BACKOFF_MAX_MS)
}

function pause (ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise(resolve => {
    if (signal?.aborted === true) { resolve(); return }
    const done = (): void => { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done)
  })
}

function copyOffsets (m: OffsetMap, only?: Assignment): OffsetMap {
  const out: OffsetMap = new Map()
  for (const [topic, ps] of m) {
    const keep = only?.get(topic)
    const sub = new Map([...ps].filter(([p]) => keep === undefined ? only === undefined : keep.includes(p)))
    if (sub.size > 0) out.set(topic, sub)
  }
  return out
}

/** Partitions in `a` and not in `b`. */
export function minus (a: Assignment, b: Assignment): Assignment {
  const out: Assignment = new Map()
  for (const [topic, ps] of a) {
    const other = new Set(b.get(topic) ?? [])
    const rest = ps.filter(p => !other.has(p))
    if (rest.length > 0) out.set(topic, rest)
  }
  return out
}

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'print records of topics, optionally as a consumer group member',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, usage: 'samsa consume TOPIC [TOPIC...]' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const topics = parseTopics(positionals)
    const start = parseStart(values.offset, values.timestamp)
    const limit = intOption('--num', values.num, 1)
    const group: string | undefined = values.group
    if (group !== undefined && values.partitions !== undefined) throw new UsageError('--partitions cannot be combined with --group (the group assigns partitions)')
    if (group === '') throw new UsageError('--group must not be empty')
    const protocol = parseGroupProtocol(values['group-protocol'], group)
    const isolation = isolationCode(parseIsolation(values['isolation-level']))
    const only = values.partitions === undefined ? null : (values.partitions as string).split(',').map(s => intOption('--partitions', s.trim(), 0)!)
    if (values.format !== undefined && values.json === true) throw new UsageError('--format and --json cannot be combined')
    const format = parseFormat(values.format ?? '%v\\n')
    const json = values.json === true
    const exitAtEnd = values['exit-at-end'] === true

    return await withClient(values, io, async c => {
      const metas = await Promise.all(topics.map(async t => await c.topic(t)))
      const fetcher = new Fetcher(c, { maxWaitMs: exitAtEnd ? 100 : 500, isolationLevel: isolation })
      /** Next offset to commit per partition: the start, then one past each printed record. */
      const consumed: OffsetMap = new Map()
      let owned: Assignment = new Map()
      let printed = 0

      const assign = async (add: Assignment, committed: OffsetMap): Promise<void> => {
        for (const [topic, partitions] of add) {
          const missing = partitions.filter(p => committed.get(topic)?.get(p) === undefined)
          const reset = missing.length > 0 ? await resolveStart(c, topic, missing, start, isolation) : new Map<number, bigint>()
          const offsets = new Map(partitions.map(p => [p, committed.get(topic)?.get(p) ?? reset.get(p)!]))
          const m = consumed.get(topic) ?? new Map<number, bigint>()
          for (const [p, o] of offsets) m.set(p, o)
          consumed.set(topic, m)
          fetcher.assign(topic, offsets)
          owned.set(topic, [...new Set([...(owned.get(topic) ?? []), ...partitions])].sort((a, b) => a - b))
        }
        if (exitAtEnd && add.size > 0) await fetcher.refreshEnds()
      }
      const unassign = (drop: Assignment): void => {
        for (const [topic, ps] of drop) {
          fetcher.unassign(topic, ps)
          for (const p of ps) consumed.get(topic)?.delete(p)
          if (consumed.get(topic)?.size === 0) consumed.delete(topic)
        }
        owned = minus(owned, drop)
      }

      let classic: GroupMember | null = null
      let kip848: ConsumerGroupMember | null = null
      const commit = async (only?: Assignment): Promise<void> => {
        const offsets = copyOffsets(consumed, only)
        if (offsets.size === 0) return
        if (classic !== null) await classic.commit(offsets)
        if (kip848 !== null) await kip848.commit(offsets)
      }
      /**
       * Auto-commits and commits of what is given back: a group that is rebalancing or has moved on from
       * this member refuses them, and (as Kafka's auto-commit) that is a warning, not the end.
       */
      const commitOrWarn = async (only?: Assignment): Promise<void> => {
        try {
          await commit(only)
        } catch (err) {
          if (!(err instanceof KafkaError) || !MEMBERSHIP_ERRORS.has(err.code)) throw err
          io.stderr.write(`samsa consume: offsets not committed: ${err.message}\n`)
        }
      }
      const rejoinClassic = async (member: GroupMember): Promise<void> => {
        unassign(owned)
        try {
          const assignment = await member.join()
          const mine: Assignment = new Map([...assignment].filter(([t, ps]) => topics.includes(t) && ps.length > 0).map(([t, ps]) => [t, [...ps].sort((a, b) => a - b)]))
          await assign(mine, mine.size === 0 ? new Map() : await member.committed())
        } catch (err) {
          // Retried by the loop (after an outage) from the start.
          unassign(owned)
          member.needsRejoin = true
          throw err
        }
      }
      /** KIP-848 reconciliation: commit and give back what was taken, take what was given, report it. */
      const reconcile = async (member: ConsumerGroupMember): Promise<void> => {
        const change = await member.takeChange()
        if (change === null) return
        try {
          if (change.lost) unassign(owned)
          const revoked = minus(owned, change.assignment)
          if (revoked.size > 0) {
            await commitOrWarn(revoked)
            unassign(revoked)
          }
          const added = minus(change.assignment, owned)
          await assign(added, added.size === 0 ? new Map() : await member.committed([...added.keys()]))
        } catch (err) {
          // Applied again on the next round; what was already given back stays given back.
          member.putBack(change)
          throw err
        }
        await member.acknowledge(owned)
      }

      if (group === undefined) {
        const all: Assignment = new Map()
        for (const meta of metas) {
          const partitions = only ?? [...meta.partitions.keys()].sort((a, b) => a - b)
          for (const p of partitions) if (!meta.partitions.has(p)) throw new UsageError(`topic ${meta.name} has no partition ${p}`)
          all.set(meta.name, partitions)
        }
        await assign(all, new Map())
      } else if (protocol === 'classic') {
        classic = new GroupMember(c, group, topics)
        await rejoinClassic(classic)
      } else {
        kip848 = new ConsumerGroupMember(c, group, topics)
        await kip848.join()
        await reconcile(kip848)
      }

      let lastCommit = Date.now()
      let failures = 0
      try {
        while (io.signal?.aborted !== true) {
          const fatal = classic?.heartbeatError ?? kip848?.heartbeatError ?? null
          if (fatal !== null) throw fatal
          try {
            if (classic !== null) {
              if (classic.needsRejoin) {
                await commit().catch(() => {})
                await rejoinClassic(classic)
              }
            }
            if (kip848 !== null) await reconcile(kip848)
            if ((classic !== null || kip848 !== null) && Date.now() - lastCommit >= AUTO_COMMIT_MS) { await commitOrWarn(); lastCommit = Date.now() }
            if (limit !== undefined && printed >= limit) break
            if (exitAtEnd && fetcher.atEnd()) break
            if (fetcher.positions.size === 0) {
              // A group member with no partitions (more members than partitions) only waits.
              if (exitAtEnd) break
              await pause(200, io.signal)
              continue
            }
            const records = await fetcher.poll()
            failures = 0
            for (const r of records) {
              if (limit !== undefined && printed >= limit) break
              io.stdout.write(json ? toJson(recordJson(r)) + '\n' : formatRecord(format, r))
              consumed.get(r.topic)?.set(r.partition, r.offset + 1n)
              printed++
            }
          } catch (err) {
            if (!isTransient(err)) throw err
            // One line per outage; positions are untouched by a failed round, so nothing is skipped or repeated.
            if (failures === 0) io.stderr.write(`samsa consume: ${(err as Error).message}; retrying until the broker is back\n`)
            await pause(backoffMs(failures++), io.signal)
          }
        }
        await commitOrWarn()
      } finally {
        if (classic !== null) await classic.leave().catch(() => {})
        if (kip848 !== null) await kip848.leave().catch(() => {})
      }
      return 0
    })
  }
}
