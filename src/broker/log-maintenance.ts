// The broker's background log work, as Kafka's LogManager schedules it: the retention check every
// log.retention.check.interval.ms, the flush check every log.flush.scheduler.interval.ms (flush.ms),
// the log cleaner for compacted topics (one cleaner, backing off log.cleaner.backoff.ms when nothing
// is dirty enough), and the samsa.log.durability policy, whose group commit every log shares. Topic
// configs are re-read on each pass, so changed configs take effect without reopening logs.
import type { Broker } from './broker.js'
import type { BrokerConfig } from '../config/broker-config.js'
import type { ConfigValue } from '../config/config-def.js'
import { LOG_BROKER_CONFIGS, maxCleanerMapEntries, topicLogOptions } from '../config/log-configs.js'
import { parseValue } from '../config/config-def.js'
import { GroupCommit } from '../log/group-commit.js'
import { cleanableRange, cleanLog, shouldClean, CleaningAbortedError, type CleanStats } from '../log/cleaner.js'
import type { TopicImage } from '../metadata/image.js'
import type { Partition } from './partition.js'

export type DurabilityPolicy = 'os' | 'fsync'

export interface LogMaintenanceOptions {
  /** samsa.log.durability */
  durability?: DurabilityPolicy
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs?: number
  /** log.flush.scheduler.interval.ms (Long.MAX: never, so flush.ms has no effect, as in Kafka) */
  flushSchedulerIntervalMs?: number
  /** log.cleaner.enable */
  cleanerEnable?: boolean
  /** log.cleaner.backoff.ms */
  cleanerBackoffMs?: number
  /** Keys one cleaning pass may map (from log.cleaner.dedupe.buffer.size and its load factor). */
  maxCleanerMapEntries?: number
  /** How often topic configs are re-applied to open logs (until config changes are pushed). */
  configRefreshMs?: number
  /** Wall clock for retention and cleaning decisions (tests inject one). */
  clock?: () => number
  /** Start the timers; false leaves every pass to explicit run* calls (tests). */
  timers?: boolean
}

export interface LogMaintenance {
  /** The shared group commit under samsa.log.durability=fsync. */
  readonly groupCommit: GroupCommit | undefined
  /** Applies every partition's topic configs to its log. */
  applyConfigs: () => void
  /** One retention pass over every partition; resolves to the number of segments removed. */
  runRetention: () => Promise<number>
  /** One flush.ms pass; resolves to the number of logs flushed. */
  runFlush: () => Promise<number>
  /** Cleans the filthiest compacted logs until none is dirty enough; resolves to each pass's stats. */
  runCleaner: () => Promise<Array<CleanStats & { partition: string }>>
  stop: () => Promise<void>
}

const LONG_MAX_MS = Number.MAX_SAFE_INTEGER
const num = (v: ConfigValue | null): number => {
  const n = typeof v === 'bigint' ? Number(v) : v as number
  return n > LONG_MAX_MS ? LONG_MAX_MS : n
}

/** The options from a broker config; configs the broker does not define yet fall back to Kafka's defaults. */
export function logMaintenanceOptions (config: BrokerConfig): LogMaintenanceOptions {
  const get = (name: string): ConfigValue | null => {
    try {
      return config.get(name)
    } catch {
      const def = LOG_BROKER_CONFIGS.find(d => d.name === name)!
      return def.default === null ? null : parseValue(def, def.default)
    }
  }
  return {
    durability: get('samsa.log.durability') as DurabilityPolicy,
    retentionCheckIntervalMs: num(get('log.retention.check.interval.ms')),
    flushSchedulerIntervalMs: num(get('log.flush.scheduler.interval.ms')),
    cleanerEnable: get('log.cleaner.enable') as boolean,
    cleanerBackoffMs: num(get('log.cleaner.backoff.ms')),
    maxCleanerMapEntries: maxCleanerMapEntries(get('log.cleaner.dedupe.buffer.size') as bigint, get('log.cleaner.io.buffer.load.factor') as number)
  }
}

export function startLogMaintenance (broker: Broker, opts: LogMaintenanceOptions = logMaintenanceOptions(broker.config)): LogMaintenance {
  const clock = opts.clock ?? Date.now
  const groupCommit = opts.durability === 'fsync' ? new GroupCommit() : undefined
  broker.logs.configureAll({ durability: groupCommit })
  const timers: NodeJS.Timeout[] = []
  let stopping = false
  const inFlight = new Set<Promise<unknown>>()

  const topicOf = (p: Partition): TopicImage | undefined => broker.metadata.image.topicsByName.get(p.topic)
  const cfg = (t: TopicImage | undefined, name: string): ConfigValue | null => broker.topicConfig(t, name)
  const live = (): Partition[] => [...broker.partitions.values()]

  const applyConfigs = (): void => {
    for (const p of live()) {
      const t = topicOf(p)
      try {
        p.log.configure({ ...topicLogOptions(name => cfg(t, name)), segmentBytes: cfg(t, 'segment.bytes') as number })
      } catch (err) {
        broker.log.warn({ err, topic: p.topic, partition: p.index }, 'could not apply topic configs to the log')
      }
    }
  }

  const runRetention = async (): Promise<number> => {
    let removed = 0
    for (const p of live()) {
      if (stopping) break
      const t = topicOf(p)
      try {
        removed += await p.log.deleteOldSegments({
          deleteEnabled: (cfg(t, 'cleanup.policy') as string[]).includes('delete'),
          retentionMs: num(cfg(t, 'retention.ms')),
          retentionBytes: num(cfg(t, 'retention.bytes')),
          fileDeleteDelayMs: num(cfg(t, 'file.delete.delay.ms')),
          now: clock()
        })
      } catch (err) {
        if (!stopping) broker.log.error({ err, topic: p.topic, partition: p.index }, 'retention check failed')
      }
    }
    return removed
  }

  const runFlush = async (): Promise<number> => {
    let flushed = 0
    const now = clock()
    for (const p of live()) {
      if (stopping) break
      const flushMs = num(cfg(topicOf(p), 'flush.ms'))
      if (p.log.unflushedMessages === 0n || now - p.log.lastFlushTime < flushMs) continue
      try {
        await p.log.flush()
        flushed++
      } catch (err) {
        if (!stopping) broker.log.error({ err, topic: p.topic, partition: p.index }, 'scheduled flush failed')
      }
    }
    return flushed
  }

  const runCleaner = async (): Promise<Array<CleanStats & { partition: string }>> => {
    const done: Array<CleanStats & { partition: string }> = []
    const skip = new Set<Partition>()
    while (!stopping) {
      const now = clock()
      // Kafka's grabFilthiestCompactedLog: of the logs due for cleaning, the one with the highest dirty ratio.
      let best: { p: Partition, ratio: number } | undefined
      for (const p of live()) {
        if (skip.has(p)) continue
        const t = topicOf(p)
        if (!(cfg(t, 'cleanup.policy') as string[]).includes('compact')) continue
        const r = await cleanableRange(p.log, { minCompactionLagMs: num(cfg(t, 'min.compaction.lag.ms')), maxCompactionLagMs: num(cfg(t, 'max.compaction.lag.ms')), now })
        if (shouldClean(r, cfg(t, 'min.cleanable.dirty.ratio') as number) && (best === undefined || r.ratio > best.ratio)) best = { p, ratio: r.ratio }
      }
      if (best === undefined) break
      const p = best.p
      skip.add(p)
      const t = topicOf(p)
      try {
        const stats = await cleanLog(p.log, {
          minCleanableRatio: cfg(t, 'min.cleanable.dirty.ratio') as number,
          minCompactionLagMs: num(cfg(t, 'min.compaction.lag.ms')),
          maxCompactionLagMs: num(cfg(t, 'max.compaction.lag.ms')),
          deleteRetentionMs: num(cfg(t, 'delete.retention.ms')),
          fileDeleteDelayMs: num(cfg(t, 'file.delete.delay.ms')),
          maxMapEntries: opts.maxCleanerMapEntries ?? 5_000_000,
          now,
          abort: () => stopping
        })
        if (stats.cleaned) {
          done.push({ ...stats, partition: `${p.topic}-${p.index}` })
          broker.log.info({ topic: p.topic, partition: p.index, bytesRead: stats.bytesRead, bytesWritten: stats.bytesWritten, recordsRead: stats.recordsRead, recordsRetained: stats.recordsRetained }, 'cleaned log')
        }
      } catch (err) {
        if (err instanceof CleaningAbortedError || stopping) break
        broker.log.error({ err, topic: p.topic, partition: p.index }, 'log cleaning failed')
      }
    }
    return done
  }

  /** Runs `fn` unless a previous run is still going, tracking it so stop() can wait for it. */
  const exclusive = <T>(fn: () => Promise<T>): (() => Promise<T | undefined>) => {
    let running: Promise<T> | undefined
    return async () => {
      if (running !== undefined || stopping) return undefined
      running = fn()
      inFlight.add(running)
      try {
        return await running
      } finally {
        inFlight.delete(running)
        running = undefined
      }
    }
  }
  const retention = exclusive(runRetention)
  const flush = exclusive(runFlush)
  const cleaner = exclusive(runCleaner)

  applyConfigs()
  if (opts.timers !== false) {
    const every = (ms: number | undefined, fn: () => unknown): void => {
      if (ms === undefined || ms >= LONG_MAX_MS) return
      const t = setInterval(() => { void fn() }, Math.max(1, Math.min(ms, 0x7fffffff)))
      t.unref()
      timers.push(t)
    }
    every(opts.configRefreshMs ?? 1000, applyConfigs)
    every(opts.retentionCheckIntervalMs ?? 300_000, retention)
    every(opts.flushSchedulerIntervalMs, flush)
    if (opts.cleanerEnable !== false) every(opts.cleanerBackoffMs ?? 15_000, cleaner)
  }

  return {
    groupCommit,
    applyConfigs,
    runRetention,
    runFlush,
    runCleaner,
    stop: async () => {
      stopping = true
      for (const t of timers) clearInterval(t)
      await Promise.allSettled([...inFlight])
    }
  }
}
