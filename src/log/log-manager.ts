// The partition logs of one data directory, each in <dataDir>/<topic>-<partition>. Which topics
// should exist is the caller's business (metadata); this only opens, creates and removes logs.
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PartitionLog, type LogOptions, type ReconfigurableLogOptions } from './partition-log.js'

/** Parses "<topic>-<partition>"; topic names may themselves contain '-' and '.'. */
export function parsePartitionDirName (name: string): { topic: string, partition: number } | undefined {
  if (name.startsWith('.')) return undefined
  const dash = name.lastIndexOf('-')
  if (dash <= 0) return undefined
  const digits = name.slice(dash + 1)
  if (!/^\d{1,10}$/.test(digits)) return undefined
  const partition = Number(digits)
  if (partition > 0x7fffffff) return undefined
  return { topic: name.slice(0, dash), partition }
}

export function partitionDirName (topic: string, partition: number): string {
  return `${topic}-${partition}`
}

export class LogManager {
  private readonly logs = new Map<string, PartitionLog>()
  private readonly opening = new Map<string, Promise<PartitionLog>>()
  /** Set by configureAll: applied to every log, open or opened later, over its own options. */
  private overrides: ReconfigurableLogOptions = {}

  constructor (readonly dataDir: string, readonly defaults: LogOptions = {}) {}

  private key (topic: string, partition: number): string { return partitionDirName(topic, partition) }

  get (topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(this.key(topic, partition))
  }

  /** Opens (recovering) or creates the partition's log; concurrent calls share one open. */
  async getOrCreate (topic: string, partition: number, opts?: LogOptions): Promise<PartitionLog> {
    const key = this.key(topic, partition)
    const existing = this.logs.get(key)
    if (existing !== undefined) return existing
    let pending = this.opening.get(key)
    if (pending === undefined) {
      pending = PartitionLog.open(join(this.dataDir, key), { ...this.defaults, ...opts })
      this.opening.set(key, pending)
      try {
        const log = await pending
        log.configure(this.overrides)
        this.logs.set(key, log)
        return log
      } finally {
        this.opening.delete(key)
      }
    }
    return await pending
  }

  /** Every partition directory found under dataDir, including internal topics such as __cluster_metadata. */
  async loadAll (): Promise<void> {
    let entries
    try {
      entries = await readdir(this.dataDir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue
      const parsed = parsePartitionDirName(e.name)
      if (parsed === undefined) continue
      await this.getOrCreate(parsed.topic, parsed.partition)
    }
  }

  /** Reconfigures every open log and every log opened from now on (e.g. the broker's durability policy). */
  configureAll (opts: ReconfigurableLogOptions): void {
    this.overrides = { ...this.overrides, ...opts }
    for (const log of this.logs.values()) log.configure(opts)
  }

  /** Every open log, keyed by "<topic>-<partition>". */
  all (): ReadonlyMap<string, PartitionLog> { return this.logs }

  async deletePartition (topic: string, partition: number): Promise<void> {
    const key = this.key(topic, partition)
    const log = this.logs.get(key) ?? await this.opening.get(key)
    this.logs.delete(key)
    if (log !== undefined) await log.delete()
  }

  async closeAll (): Promise<void> {
    const logs = [...this.logs.values()]
    this.logs.clear()
    const results = await Promise.allSettled(logs.map(async l => await l.close()))
    const failed = results.find(r => r.status === 'rejected')
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason
  }
}
