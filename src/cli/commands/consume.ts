// samsa consume TOPIC: from chosen offsets, or as a member of a classic consumer group that commits
// what it has printed (periodically, on a rebalance and on exit).
import { parse, withClient, intOption, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { parseFormat, formatRecord, recordJson } from './format.js'
import { Fetcher, resolveStart, type StartSpec } from '../../client/consumer.js'
import { GroupMember, type OffsetMap } from '../../client/group.js'

const HELP = `Usage: samsa consume TOPIC [options]

Prints records of TOPIC, by default each value on its own line, until interrupted (or -e / -n).

Options:
  -o, --offset WHERE         beginning, end, N (an offset) or -N (N before the end); default beginning.
                             With --group, where to start partitions that have no committed offset.
      --timestamp MS         start at the first record with a timestamp at or after MS
  -p, --partitions LIST      comma-separated partitions (default all; not with --group)
  -n, --num N                exit after N records
  -e, --exit-at-end          exit once every partition is read to its end
  -g, --group GROUP          consume as a member of classic consumer group GROUP (range assignor);
                             offsets are committed every 5 s and on exit
  -f, --format FMT           kcat-style format: %k key, %v value, %h headers (k=v,...), %t timestamp,
                             %p partition, %o offset, %T topic, %K/%S key/value length, \\n \\t escapes
      --json                 one JSON object per record
${BROKERS_HELP}
`

const OPTIONS = {
  offset: { type: 'string', short: 'o' },
  timestamp: { type: 'string' },
  partitions: { type: 'string', short: 'p' },
  num: { type: 'string', short: 'n' },
  'exit-at-end': { type: 'boolean', short: 'e' },
  group: { type: 'string', short: 'g' },
  format: { type: 'string', short: 'f' },
  json: { type: 'boolean' }
} as const

const AUTO_COMMIT_MS = 5000

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

export const consumeCommand: Command = {
  name: 'consume',
  summary: 'print records of a topic, optionally as a consumer group member',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, usage: 'samsa consume TOPIC' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const topic = positionals[0]!
    const start = parseStart(values.offset, values.timestamp)
    const limit = intOption('--num', values.num, 1)
    const group: string | undefined = values.group
    if (group !== undefined && values.partitions !== undefined) throw new UsageError('--partitions cannot be combined with --group (the group assigns partitions)')
    if (group === '') throw new UsageError('--group must not be empty')
    const only = values.partitions === undefined ? null : (values.partitions as string).split(',').map(s => intOption('--partitions', s.trim(), 0)!)
    if (values.format !== undefined && values.json === true) throw new UsageError('--format and --json cannot be combined')
    const format = parseFormat(values.format ?? '%v\\n')
    const json = values.json === true
    const exitAtEnd = values['exit-at-end'] === true

    return await withClient(values, io, async c => {
      const meta = await c.topic(topic)
      const fetcher = new Fetcher(c, { maxWaitMs: exitAtEnd ? 100 : 500 })
      /** Next offset to commit per partition: the start, then one past each printed record. */
      const consumed = new Map<number, bigint>()
      let printed = 0
      let member: GroupMember | null = null

      const assign = async (partitions: number[], committed: OffsetMap): Promise<void> => {
        fetcher.clear()
        consumed.clear()
        const missing = partitions.filter(p => committed.get(topic)?.get(p) === undefined)
        const reset = missing.length > 0 ? await resolveStart(c, topic, missing, start) : new Map<number, bigint>()
        const offsets = new Map(partitions.map(p => [p, committed.get(topic)?.get(p) ?? reset.get(p)!]))
        for (const [p, o] of offsets) consumed.set(p, o)
        fetcher.assign(topic, offsets)
        if (exitAtEnd) await fetcher.refreshEnds()
      }
      const commit = async (): Promise<void> => {
        if (member === null || consumed.size === 0) return
        await member.commit(new Map([[topic, new Map(consumed)]]))
      }

      if (group === undefined) {
        const partitions = only ?? [...meta.partitions.keys()].sort((a, b) => a - b)
        for (const p of partitions) if (!meta.partitions.has(p)) throw new UsageError(`topic ${topic} has no partition ${p}`)
        await assign(partitions, new Map())
      } else {
        member = new GroupMember(c, group, [topic])
        await joinAndAssign(member, topic, assign)
      }

      let lastCommit = Date.now()
      try {
        while (io.signal?.aborted !== true) {
          if (member !== null) {
            if (member.heartbeatError !== null) throw member.heartbeatError
            if (member.needsRejoin) {
              await commit().catch(() => {})
              await joinAndAssign(member, topic, assign)
            }
            if (Date.now() - lastCommit >= AUTO_COMMIT_MS) { await commit(); lastCommit = Date.now() }
          }
          if (limit !== undefined && printed >= limit) break
          if (exitAtEnd && fetcher.atEnd()) break
          if (fetcher.positions.get(topic)?.size === 0 || fetcher.positions.size === 0) {
            // A group member with no partitions (more members than partitions) only waits.
            if (exitAtEnd) break
            await new Promise(resolve => setTimeout(resolve, 200))
            continue
          }
          const records = await fetcher.poll()
          for (const r of records) {
            if (limit !== undefined && printed >= limit) break
            io.stdout.write(json ? toJson(recordJson(r)) + '\n' : formatRecord(format, r))
            consumed.set(r.partition, r.offset + 1n)
            printed++
          }
        }
        await commit()
      } finally {
        if (member !== null) await member.leave().catch(() => {})
      }
      return 0
    })
  }
}

async function joinAndAssign (member: GroupMember, topic: string, assign: (partitions: number[], committed: OffsetMap) => Promise<void>): Promise<void> {
  const assignment = await member.join()
  const partitions = (assignment.get(topic) ?? []).sort((a, b) => a - b)
  await assign(partitions, partitions.length === 0 ? new Map() : await member.committed())
}
