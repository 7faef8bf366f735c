// A partition's log on disk, laid out as Kafka lays it out: segments named by their 20-digit base
// offset, each with a sparse offset index and time index. Batches are opaque bytes (DESIGN principle 1):
// append patches only baseOffset and partitionLeaderEpoch in each header, which the CRC does not cover.
//
// Ordering: appends, truncation, retention, flush and close run one at a time on an internal promise
// chain, while offsets are handed out synchronously when append is called, so callers' order is the
// log's order. Reads run beside the chain and only see a segment's bytes up to the last write that
// completed, so they never return a partially written batch.
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import pino from 'pino'
import { BatchView, BATCH_HEADER_SIZE, LOG_OVERHEAD } from '../wire/record-batch.js'
import { readOffsetCheckpoint, syncDir, writeOffsetCheckpoint } from './checkpoint.js'
import { CorruptLogError, InvalidBatchError, LogClosedError, LogStorageError, OffsetOutOfRangeError } from './errors.js'
import { firstRecordAtOrAfter, firstRecordWithTimestamp } from './record-timestamps.js'
import { CLEANED_SUFFIX, DELETED_SUFFIX, INDEX_SUFFIX, LOG_SUFFIX, LogSegment, SWAP_SUFFIX, TIME_INDEX_SUFFIX, segmentFileName, type Logger, type PendingBatch, type SegmentConfig } from './segment.js'
import { batchHeaders, validateBatches } from './batch-scan.js'
import { CorruptEpochCheckpointError, LeaderEpochCache } from './leader-epoch-cache.js'
import { open as openFile } from 'node:fs/promises'
import type { Durability } from './group-commit.js'
import { ProducerStateManager } from './producer-state.js'
import { TxnIndex, TXN_INDEX_SUFFIX, type AbortedTxn } from './txn-index.js'
import { rebuildProducerState, takeSnapshot, SNAPSHOT_SUFFIX } from './producer-state-loader.js'

export type { Logger } from './segment.js'

export interface LogOptions {
  /** segment.bytes */
  segmentBytes?: number
  /** index.interval.bytes */
  indexIntervalBytes?: number
  /** segment.index.bytes */
  segmentIndexBytes?: number
  logger?: Logger
  /** fsync every append before acknowledging it; Kafka's default leaves durability to the page cache. */
  flushOnAppend?: boolean
  /** segment.ms: roll once the active segment's records span this long (Kafka's LogSegment.shouldRoll). */
  segmentMs?: number | bigint
  /** segment.jitter.ms: each segment rolls up to this much earlier, chosen at random per segment. */
  segmentJitterMs?: number | bigint
  /** flush.messages: fsync once this many messages are unflushed (Long.MAX: never, the OS decides). */
  flushMessages?: number | bigint
  /**
   * samsa.log.durability=fsync: appends resolve (and become visible to readers) only after a group
   * commit made their bytes durable. Undefined: Kafka's behaviour, the page cache decides.
   */
  durability?: Durability
  /** Wall clock in ms (default Date.now). */
  clock?: () => number
  /** Random source in [0, 1) for segment jitter (default Math.random). */
  random?: () => number
  /** producer.id.expiration.ms: idle producers are forgotten after this long (default 1 day). */
  producerIdExpirationMs?: number
}

/** The options that can change on an open log (dynamic topic config updates). */
export type ReconfigurableLogOptions = Pick<LogOptions, 'segmentBytes' | 'segmentMs' | 'segmentJitterMs' | 'flushMessages' | 'durability'>

/** What a retention pass applies: Kafka's UnifiedLog.deleteOldSegments inputs. */
export interface RetentionPolicy {
  /** cleanup.policy contains delete; without it only segments below the log start offset go. */
  deleteEnabled: boolean
  /** retention.ms; negative: unlimited. */
  retentionMs: number
  /** retention.bytes; negative: unlimited. */
  retentionBytes: number
  /** file.delete.delay.ms: how long removed segments stay as .deleted files for readers in flight. */
  fileDeleteDelayMs: number
  /** The time retention.ms is measured against (default: the log's clock). */
  now?: number
}

export interface SegmentSummary {
  baseOffset: bigint
  size: number
}

export interface AppendOptions {
  leaderEpoch: number
  /** When set, every batch is rewritten to LogAppendTime with this time. */
  logAppendTimeMs?: bigint
  /** An abort marker's transaction-index entry, written to the index of the segment the marker lands in. */
  abortedTxn?: AbortedTxn
}

export interface AppendResult {
  baseOffset: bigint
  lastOffset: bigint
  maxTimestamp: bigint
  /** Last offset of the first batch carrying maxTimestamp (Kafka's shallow offset); -1 without timestamps. */
  offsetOfMaxTimestamp: bigint
}

export interface ReadOptions {
  /** Return the first batch whole even when it is larger than maxBytes (default true). */
  minOneBatch?: boolean
  /** Exclusive upper bound, e.g. the high watermark: only batches wholly below it are returned. */
  maxOffset?: bigint
}

export interface TimestampAndOffset {
  offset: bigint
  timestamp: bigint
  /** partitionLeaderEpoch of the batch holding the offset, -1 when unknown. */
  leaderEpoch: number
}

export const DEFAULT_SEGMENT_BYTES = 1024 * 1024 * 1024
export const DEFAULT_INDEX_INTERVAL_BYTES = 4096
export const DEFAULT_SEGMENT_INDEX_BYTES = 10 * 1024 * 1024

export const CLEAN_SHUTDOWN_FILE = '.clean-shutdown'
export const LOG_START_OFFSET_FILE = 'log-start-offset'
export const RECOVERY_POINT_FILE = 'recovery-point'
const LONG_MAX_MS = Number.MAX_SAFE_INTEGER

const SEGMENT_LOG = /^(\d{20})\.log$/
const SEGMENT_INDEX = /^(\d{20})\.(index|timeindex)$/
const EMPTY = Buffer.alloc(0)

let defaultLogger: Logger | undefined
function fallbackLogger (): Logger {
  defaultLogger ??= pino({ name: 'partition-log' }, pino.destination(2))
  return defaultLogger
}

function checkMs (name: string, v: number | bigint, min: number): number {
  const n = typeof v === 'bigint' ? (v > BigInt(LONG_MAX_MS) ? LONG_MAX_MS : Number(v)) : v
  if (!Number.isFinite(n) || n < min) throw new RangeError(`${name} must be at least ${min}, got ${v}`)
  return Math.min(Math.floor(n), LONG_MAX_MS)
}

function checkIntOption (name: string, v: number | undefined, min: number, dflt: number): number {
  if (v === undefined) return dflt
  if (!Number.isInteger(v) || v < min || v > 0x7fffffff) throw new RangeError(`${name} must be an integer in [${min}, ${0x7fffffff}], got ${v}`)
  return v
}

export class PartitionLog {
  private segments: LogSegment[]
  private startOffset: bigint
  /** Offset after the last batch whose write completed: what readers may see. */
  private endOffset: bigint
  /** Next offset to hand out; runs ahead of endOffset while appends are queued. */
  private nextAssign: bigint
  private recoveryPoint: bigint
  /** Offset after the last batch written to the file; endOffset trails it while a group commit is pending. */
  private written: bigint
  /** Bumped by truncation so a commit that completes afterwards does not publish truncated offsets. */
  private truncations = 0
  /** Segments written to since the last group commit, and whether a roll created a file since then. */
  private readonly unsynced = new Set<LogSegment>()
  private dirUnsynced = false
  private readonly pendingDeletes = new Map<LogSegment, NodeJS.Timeout>()
  private segmentBytes: number
  private segmentMs: number
  private segmentJitterMs: number
  private flushMessages: number
  private durability: Durability | undefined
  private readonly random: () => number
  private lastFlushedAt: number
  private chain: Promise<unknown> = Promise.resolve()
  private backgroundFlush: Promise<void> = Promise.resolve()
  private failure: LogStorageError | undefined
  private closed = false
  /** Idempotent and transactional producers' state in this partition (ProducerStateManager). */
  readonly producerState: ProducerStateManager
  /** Aborted transactions (the .txnindex files), for read_committed fetches. */
  txnIndex: TxnIndex
  /** Where each leader epoch starts (the leader-epoch-checkpoint file), for OffsetForLeaderEpoch. */
  readonly leaderEpochCache: LeaderEpochCache

  private constructor (
    readonly dir: string,
    private readonly cfg: SegmentConfig,
    opts: LogOptions,
    segmentBytes: number,
    private readonly flushOnAppend: boolean,
    segments: LogSegment[],
    startOffset: bigint,
    recoveryPoint: bigint | undefined
  ) {
    this.segments = segments
    this.startOffset = startOffset
    this.endOffset = this.active.nextOffset
    this.written = this.endOffset
    this.nextAssign = this.endOffset
    this.segmentBytes = segmentBytes
    this.segmentMs = LONG_MAX_MS
    this.segmentJitterMs = 0
    this.flushMessages = LONG_MAX_MS
    this.random = opts.random ?? Math.random
    this.lastFlushedAt = cfg.clock()
    this.configure(opts)
    for (const s of segments) s.rollJitterMs = this.randomSegmentJitter()
    // After an unclean start the recovered segments are valid but maybe not yet durable, so the
    // recovery point stays where the last flush left it.
    this.recoveryPoint = recoveryPoint !== undefined && recoveryPoint < this.endOffset ? recoveryPoint : this.endOffset
    this.producerState = new ProducerStateManager(opts.producerIdExpirationMs)
    this.txnIndex = new TxnIndex(dir)
    this.leaderEpochCache = new LeaderEpochCache(dir, cfg.logger)
  }

  static async open (dir: string, opts: LogOptions = {}): Promise<PartitionLog> {
    const cfg: SegmentConfig = {
      indexIntervalBytes: checkIntOption('indexIntervalBytes', opts.indexIntervalBytes, 0, DEFAULT_INDEX_INTERVAL_BYTES),
      segmentIndexBytes: checkIntOption('segmentIndexBytes', opts.segmentIndexBytes, 8, DEFAULT_SEGMENT_INDEX_BYTES),
      logger: opts.logger ?? fallbackLogger(),
      clock: opts.clock ?? Date.now
    }
    const segmentBytes = checkIntOption('segmentBytes', opts.segmentBytes, BATCH_HEADER_SIZE, DEFAULT_SEGMENT_BYTES)
    await mkdir(dir, { recursive: true })
    const names = await readdir(dir)
    const bases: bigint[] = []
    const logNames = new Set<string>()
    for (const name of names) {
      const m = SEGMENT_LOG.exec(name)
      if (m !== null) { bases.push(BigInt(m[1]!)); logNames.add(m[1]!) }
    }
    // A .swap file is a cleaner's output that was complete when the process stopped: finish its swap.
    for (const name of names) {
      const m = /^(\d{20})\.log\.swap$/.exec(name)
      if (m === null) continue
      const base = BigInt(m[1]!)
      const replaced = await PartitionLog.completeSwap(dir, name, base, bases)
      for (const r of replaced) { bases.splice(bases.indexOf(r), 1); logNames.delete(segmentFileName(r, '')) }
      bases.push(base)
      logNames.add(m[1]!)
    }
    for (const name of names) {
      const idx = SEGMENT_INDEX.exec(name)
      // Leftovers of interrupted deletes, cleanings and checkpoint writes, and indexes whose log is gone.
      const txnIdx = name.endsWith(TXN_INDEX_SUFFIX) && !logNames.has(name.slice(0, 20))
      if (txnIdx || name.endsWith(DELETED_SUFFIX) || name.endsWith('.tmp') || name.endsWith(CLEANED_SUFFIX) || name.endsWith(SWAP_SUFFIX) || (idx !== null && !logNames.has(idx[1]!))) {
        await rm(join(dir, name), { force: true })
      }
    }
    bases.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const clean = names.includes(CLEAN_SHUTDOWN_FILE)
    const checkpointedStart = await readOffsetCheckpoint(dir, LOG_START_OFFSET_FILE)

    let segments: LogSegment[] = []
    let recoveryPoint: bigint | undefined
    for (const base of bases) {
      const { size } = await stat(join(dir, segmentFileName(base, LOG_SUFFIX)))
      segments.push(LogSegment.existing(dir, base, cfg, size))
    }
    if (segments.length === 0) {
      segments.push(await LogSegment.create(dir, checkpointedStart ?? 0n, cfg))
    } else if (clean) {
      await segments[segments.length - 1]!.load()
    } else {
      recoveryPoint = await readOffsetCheckpoint(dir, RECOVERY_POINT_FILE) ?? segments[0]!.baseOffset
      segments = await PartitionLog.recoverUnflushed(dir, segments, cfg, recoveryPoint)
    }

    let start = checkpointedStart ?? segments[0]!.baseOffset
    if (start < segments[0]!.baseOffset) start = segments[0]!.baseOffset
    const log = new PartitionLog(dir, cfg, opts, segmentBytes, opts.flushOnAppend ?? false, segments, start, recoveryPoint)
    const restarted = start > log.endOffset
    if (restarted) {
      cfg.logger.warn({ dir, logStartOffset: start, logEndOffset: log.endOffset }, 'log start offset is past the recovered end; starting an empty log at the log start offset')
      await log.replaceAllSegments(start)
    }
    await log.loadLeaderEpochCache(clean ? undefined : recoveryPoint, restarted)
    log.txnIndex = await TxnIndex.load(dir, log.segments.map(s => s.baseOffset))
    await rebuildProducerState(log, cfg.clock())
    if (clean) {
      await rm(join(dir, CLEAN_SHUTDOWN_FILE), { force: true })
      await syncDir(dir)
    }
    return log
  }

  /**
   * Kafka's swap completion: the swap file holds the cleaned replacement of every segment whose base
   * offset lies in [base, swap's next offset); those are removed and the swap becomes a live segment.
   * Its indexes are dropped and rebuilt when the segment is first loaded. Returns the bases replaced.
   */
  private static async completeSwap (dir: string, name: string, base: bigint, bases: bigint[]): Promise<bigint[]> {
    const path = join(dir, name)
    const fh = await openFile(path, 'r+')
    let next = base
    try {
      const size = (await fh.stat()).size
      const r = await validateBatches(fh, size, base, b => { next = b.lastOffset + 1n })
      if (r.validBytes < size) await fh.truncate(r.validBytes)
    } finally {
      await fh.close()
    }
    const replaced = bases.filter(b => b >= base && (b < next || b === base))
    for (const b of replaced) {
      for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await rm(join(dir, segmentFileName(b, suffix)), { force: true })
    }
    for (const suffix of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await rm(join(dir, segmentFileName(base, suffix) + SWAP_SUFFIX), { force: true })
    await rename(path, join(dir, segmentFileName(base, LOG_SUFFIX)))
    await syncDir(dir)
    return replaced
  }

  /**
   * Unclean start: segments from the one holding the recovery point onwards are validated batch by
   * batch. Corruption inside an older segment drops every segment after it, as nothing after the first
   * corrupt byte can be trusted to follow it.
   */
  private static async recoverUnflushed (dir: string, segments: LogSegment[], cfg: SegmentConfig, recoveryPoint: bigint): Promise<LogSegment[]> {
    let from = 0
    for (let i = 0; i < segments.length; i++) if (segments[i]!.baseOffset <= recoveryPoint) from = i
    cfg.logger.info({ dir, segments: segments.length - from, recoveryPoint: recoveryPoint.toString() }, 'recovering log after unclean shutdown')
    for (let i = from; i < segments.length; i++) {
      const truncated = await segments[i]!.recover()
      if (truncated > 0 && i < segments.length - 1) {
        const dropped = segments.slice(i + 1)
        cfg.logger.warn({ dir, segments: dropped.map(s => s.logPath) }, 'deleting segments after a corrupt segment')
        for (const s of dropped) await s.delete()
        return segments.slice(0, i + 1)
      }
    }
    return segments
  }

  /**
   * The epoch cache as Kafka's LogLoader leaves it: the checkpoint, plus epochs assigned by the batches
   * recovery validated (from the segment holding the recovery point on, re-derived since a crash may
   * have lost the checkpoint's last write), minus entries past the recovered end or below the log start
   * offset. A missing or corrupt checkpoint is rebuilt from every batch's partitionLeaderEpoch.
   */
  private async loadLeaderEpochCache (unflushedFrom: bigint | undefined, restarted: boolean): Promise<void> {
    const cache = this.leaderEpochCache
    let scanFrom = unflushedFrom
    try {
      if (!await cache.load()) {
        cache.markDirty()
        scanFrom = this.segments[0]!.baseOffset
      }
    } catch (err) {
      if (!(err instanceof CorruptEpochCheckpointError)) throw err
      this.cfg.logger.warn({ dir: this.dir, err: err.message }, 'leader epoch checkpoint is corrupt; rebuilding it from the log')
      cache.clear()
      cache.markDirty()
      scanFrom = this.segments[0]!.baseOffset
    }
    // Kafka's truncateFullyAndStartAt clears the history: the epochs of the lost records say nothing.
    if (restarted) cache.clear()
    else if (scanFrom !== undefined) {
      const from = this.segments[this.segmentIndexFor(this.segments, scanFrom)]!.baseOffset
      cache.truncateFromEnd(from)
      await this.assignEpochsFrom(from)
    }
    cache.truncateFromEnd(this.endOffset)
    cache.truncateFromStart(this.startOffset)
    await cache.persist()
  }

  /** Assigns each epoch that a batch at or after segment base `from` starts, from batch headers only. */
  private async assignEpochsFrom (from: bigint): Promise<void> {
    const cache = this.leaderEpochCache
    for (let i = this.segmentIndexFor(this.segments, from); i < this.segments.length; i++) {
      const seg = this.segments[i]!
      if (seg.size === 0) continue
      // Read directly: loading the segment would open and check the indexes of every old segment.
      const fh = await openFile(seg.logPath, 'r')
      try {
        for await (const b of batchHeaders(fh, seg.logPath, 0, seg.size)) {
          if (b.leaderEpoch > cache.latestEpoch) cache.assign(b.leaderEpoch, b.baseOffset)
        }
      } catch (err) {
        if (!(err instanceof CorruptLogError)) throw err
        this.cfg.logger.warn({ dir: this.dir, err: err.message }, 'unreadable batch header while rebuilding the leader epoch cache; skipping the rest of the segment')
      } finally {
        await fh.close()
      }
    }
  }

  /**
   * A leader epoch begins here (Kafka's makeLeader: maybeAssignEpochStartOffset at the log end), before
   * anything is written in it, so an epoch that wrote nothing still ends where the next one starts.
   */
  assignEpochStartOffset (epoch: number): void {
    if (this.unusable() !== undefined || epoch <= this.leaderEpochCache.latestEpoch) return
    this.leaderEpochCache.assign(epoch, this.nextAssign)
    this.enqueue(async () => { await this.leaderEpochCache.persist() }).catch((err: unknown) => {
      this.cfg.logger.error({ dir: this.dir, err }, 'writing the leader epoch checkpoint failed')
    })
  }

  get logStartOffset (): bigint { return this.startOffset }
  get logEndOffset (): bigint { return this.endOffset }
  /** The offset the next append will get (ahead of logEndOffset while appends are being written). */
  get nextOffset (): bigint { return this.nextAssign }

  /** Applies changed topic configs (Kafka updates a log's config in place the same way). */
  configure (opts: ReconfigurableLogOptions): void {
    if (opts.segmentBytes !== undefined) this.segmentBytes = checkIntOption('segmentBytes', opts.segmentBytes, BATCH_HEADER_SIZE, DEFAULT_SEGMENT_BYTES)
    if (opts.segmentMs !== undefined) this.segmentMs = checkMs('segmentMs', opts.segmentMs, 1)
    if (opts.segmentJitterMs !== undefined) this.segmentJitterMs = checkMs('segmentJitterMs', opts.segmentJitterMs, 0)
    if (opts.flushMessages !== undefined) this.flushMessages = checkMs('flushMessages', opts.flushMessages, 1)
    if ('durability' in opts) this.durability = opts.durability
  }

  /** Kafka's LogConfig.randomSegmentJitter: uniform in [0, min(segment.jitter.ms, segment.ms)). */
  private randomSegmentJitter (): number {
    if (this.segmentJitterMs === 0) return 0
    return Math.floor(this.random() * Math.min(this.segmentJitterMs, this.segmentMs))
  }

  /** Base offsets and sizes of the segments, oldest first (the last is the active one). */
  segmentSummaries (): SegmentSummary[] {
    return this.segments.map(s => ({ baseOffset: s.baseOffset, size: s.size }))
  }

  /** The segments as they are now, the active one last; for the cleaner, which only reads inactive ones. */
  segmentsSnapshot (): readonly LogSegment[] { return this.segments }

  /** The segment configuration, so the cleaner can build replacement segments like this log's own. */
  get segmentConfig (): SegmentConfig { return this.cfg }
  get maxSegmentBytes (): number { return this.segmentBytes }
  /** When the last full flush (close, flush.messages, flush.ms) finished, by the log's clock. */
  get lastFlushTime (): number { return this.lastFlushedAt }
  /** Messages written since the last flush: Kafka's unflushedMessages. */
  get unflushedMessages (): bigint { return this.written - this.recoveryPoint }

  private get active (): LogSegment { return this.segments[this.segments.length - 1]! }

  sizeInBytes (): number {
    let n = 0
    for (const s of this.segments) n += s.size
    return n
  }

  private enqueue<T> (op: () => Promise<T>): Promise<T> {
    const p = this.chain.then(op)
    this.chain = p.catch(() => {})
    return p
  }

  private unusable (): Error | undefined {
    if (this.closed) return new LogClosedError(this.dir)
    return this.failure
  }

  append (batches: Buffer, opts: AppendOptions): Promise<AppendResult> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    try {
      checkBatches(batches)
      if (!Number.isInteger(opts.leaderEpoch) || opts.leaderEpoch < -1 || opts.leaderEpoch > 0x7fffffff) throw new RangeError(`invalid leader epoch ${opts.leaderEpoch}`)
      const t = opts.logAppendTimeMs
      if (t !== undefined && (t < -1n || t > 0x7fffffffffffffffn)) throw new RangeError(`invalid log append time ${t}`)
    } catch (err) {
      return Promise.reject(err)
    }
    const pending: PendingBatch[] = []
    let next = this.nextAssign
    let maxTimestamp = -1n
    let offsetOfMaxTimestamp = -1n
    for (let pos = 0; pos < batches.length;) {
      const view = new BatchView(batches, pos)
      view.baseOffset = next
      view.partitionLeaderEpoch = opts.leaderEpoch
      if (opts.logAppendTimeMs !== undefined) view.setLogAppendTime(opts.logAppendTimeMs)
      const lastOffset = view.lastOffset
      const ts = view.maxTimestamp
      if (ts > maxTimestamp) { maxTimestamp = ts; offsetOfMaxTimestamp = lastOffset }
      pending.push({ position: pos, size: view.size, lastOffset, maxTimestamp: ts })
      next = lastOffset + 1n
      pos += view.size
    }
    const baseOffset = this.nextAssign
    this.nextAssign = next
    if (opts.leaderEpoch > this.leaderEpochCache.latestEpoch) this.leaderEpochCache.assign(opts.leaderEpoch, baseOffset)
    const result: AppendResult = { baseOffset, lastOffset: next - 1n, maxTimestamp, offsetOfMaxTimestamp }
    const written = this.enqueue(async () => {
      const bad = this.failure
      if (bad !== undefined) throw bad
      try {
        const roll = await this.active.shouldRoll({
          appendBytes: batches.length, lastOffset: result.lastOffset, maxTimestamp, segmentBytes: this.segmentBytes, segmentMs: this.segmentMs, now: this.cfg.clock()
        })
        if (roll) await this.roll(baseOffset)
        if (opts.abortedTxn !== undefined) await this.txnIndex.persist(this.active.baseOffset, opts.abortedTxn)
        // Before the batch, as Kafka does: a checkpoint never misses the epoch of a batch on disk.
        await this.leaderEpochCache.persist()
        await this.active.append(batches, pending, this.flushOnAppend)
        this.written = next
        // flush.messages: Kafka flushes on the append path once enough messages are unflushed.
        if (Number(this.written - this.recoveryPoint) >= this.flushMessages) await this.flushAll()
      } catch (err) {
        this.failure = new LogStorageError(`append to ${this.dir} failed: ${(err as Error).message}`, err)
        this.cfg.logger.error({ dir: this.dir, err }, 'log append failed; refusing further appends')
        throw this.failure
      }
      if (this.durability === undefined) this.endOffset = next
      else this.unsynced.add(this.active)
      return { durability: this.durability, truncations: this.truncations }
    })
    return written.then(async ({ durability, truncations }) => {
      if (durability !== undefined) {
        try {
          await durability.commit(this)
        } catch (err) {
          // After a failed fsync the page cache state is unknown (fsyncgate): nothing more is accepted.
          this.failure ??= new LogStorageError(`fsync of ${this.dir} failed: ${(err as Error).message}`, err)
          throw this.failure
        }
        if (truncations === this.truncations && next > this.endOffset) this.endOffset = next
      }
      return result
    })
  }

  /**
   * One group commit's share of work for this log: makes every byte written so far durable. Called by
   * the Durability policy, which resolves the appends waiting on it once this returns.
   */
  async syncForCommit (): Promise<void> {
    const segs = [...this.unsynced]
    this.unsynced.clear()
    const dirty = this.dirUnsynced
    this.dirUnsynced = false
    await Promise.all(segs.map(async s => { await s.syncData() }))
    if (dirty) await syncDir(this.dir)
  }

  private async roll (baseOffset: bigint): Promise<void> {
    const old = this.active
    old.onBecomeInactive()
    const seg = await LogSegment.create(this.dir, baseOffset, this.cfg)
    seg.rollJitterMs = this.randomSegmentJitter()
    this.segments = [...this.segments, seg]
    this.dirUnsynced = true
    // Kafka snapshots producer state at every roll so an unclean start rebuilds only from there.
    const snapshot = takeSnapshot(this)
    // Like Kafka, the finished segment is flushed off the append path; the recovery point advances
    // only once it is durable.
    this.backgroundFlush = this.backgroundFlush.then(async () => {
      await snapshot.write()
      await old.flush()
      await syncDir(this.dir)
      if (baseOffset > this.recoveryPoint) {
        this.recoveryPoint = baseOffset
          await writeOffsetCheckpoint(this.dir, RECOVERY_POINT_FILE, baseOffset)
      }
    }).catch((err: unknown) => { this.cfg.logger.error({ dir: this.dir, err }, 'flushing a rolled segment failed') })
  }

  private segmentIndexFor (segments: LogSegment[], offset: bigint): number {
    let lo = 0
    let hi = segments.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (segments[mid]!.baseOffset <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  async read (offset: bigint, maxBytes: number, opts: ReadOptions = {}): Promise<{ records: Buffer }> {
    // A segment removed by retention or replaced by the cleaner while this read was on its way to it
    // may already be gone from disk: the read starts again from the current segments.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readOnce(offset, maxBytes, opts)
      } catch (err) {
        if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      }
    }
  }

  private async readOnce (offset: bigint, maxBytes: number, opts: ReadOptions): Promise<{ records: Buffer }> {
    if (this.closed) throw new LogClosedError(this.dir)
    const start = this.startOffset
    const end = this.endOffset
    if (offset < start || offset > end) throw new OffsetOutOfRangeError(offset, start, end)
    // Bytes past endOffset may be written but not yet durable (fsync policy): never served.
    const limit = opts.maxOffset === undefined || opts.maxOffset > end ? end : opts.maxOffset
    const minOneBatch = opts.minOneBatch ?? true
    if (offset === end || (limit !== undefined && offset >= limit)) return { records: EMPTY }
    const segments = this.segments
    for (let i = this.segmentIndexFor(segments, offset); i < segments.length; i++) {
      const seg = segments[i]!
      seg.acquire()
      try {
        await seg.load()
        const first = await seg.translateOffset(offset)
        // Past this segment's last batch (a gap in offsets): the next segment holds what follows.
        if (first === null) continue
        if (limit !== undefined && first.lastOffset >= limit) return { records: EMPTY }
        if (!minOneBatch && first.size > maxBytes) return { records: EMPTY }
        const want = Math.min(seg.size - first.position, Math.max(maxBytes, first.size))
        const buf = await seg.readAt(first.position, want)
        return { records: buf.subarray(0, wholeBatchesPrefix(buf, Math.max(maxBytes, 0), limit)) }
      } finally {
        seg.release()
      }
    }
    return { records: EMPTY }
  }

  /**
   * ListOffsets by timestamp: the first record at or after the log start offset whose timestamp is >=
   * ts, found through the first segment whose max timestamp reaches ts and its time index; records
   * are decoded (decompressed if need be) only in the one batch that holds the answer. A batch whose
   * records cannot be decoded answers with its first offset (at or after the log start offset) and
   * its maxTimestamp, which is at or before the exact record.
   */
  async offsetForTimestamp (ts: bigint): Promise<TimestampAndOffset | null> {
    if (this.closed) throw new LogClosedError(this.dir)
    const startingOffset = this.startOffset
    for (const seg of this.segments) {
      seg.acquire()
      try {
        await seg.load()
        if (seg.maxTimestamp < ts) continue
        const entry = seg.timeIndex.lookup(ts)
        const from = seg.offsetIndex.lookup(entry.offset > startingOffset ? entry.offset : startingOffset).position
        for await (const b of seg.headersFrom(from)) {
          if (b.lastOffset < startingOffset || b.maxTimestamp < ts) continue
          const epoch = b.leaderEpoch >= 0 ? b.leaderEpoch : -1
          const hit = await firstRecordAtOrAfter(await seg.readAt(b.position, b.size), ts, startingOffset)
          if (hit === undefined) {
            return { offset: b.baseOffset > startingOffset ? b.baseOffset : startingOffset, timestamp: b.maxTimestamp, leaderEpoch: epoch }
          }
          if (hit !== null) return { ...hit, leaderEpoch: epoch }
        }
      } finally {
        seg.release()
      }
    }
    return null
  }

  /**
   * ListOffsets MAX_TIMESTAMP: the first record carrying the largest timestamp in the log. For a batch
   * whose records cannot be decoded the batch's first offset stands in for that record.
   */
  async maxTimestampOffset (): Promise<TimestampAndOffset | null> {
    if (this.closed) throw new LogClosedError(this.dir)
    const segments = this.segments
    let best: LogSegment | undefined
    for (const seg of segments) {
      seg.acquire()
      try {
        await seg.load()
      } finally {
        seg.release()
      }
      if (best === undefined || seg.maxTimestamp > best.maxTimestamp) best = seg
    }
    if (best === undefined) return null
    const seg = best
    seg.acquire()
    try {
      await seg.load()
      const target = seg.maxTimestamp
      const from = seg.offsetIndex.lookup(seg.offsetOfMaxTimestamp).position
      for await (const b of seg.headersFrom(from)) {
        if (b.maxTimestamp !== target) continue
        const epoch = b.leaderEpoch >= 0 ? b.leaderEpoch : -1
        const hit = await firstRecordWithTimestamp(await seg.readAt(b.position, b.size), target)
        if (hit === undefined) return { offset: b.baseOffset, timestamp: target, leaderEpoch: epoch }
        return hit === null ? null : { ...hit, leaderEpoch: epoch }
      }
      return null
    } finally {
      seg.release()
    }
  }

  /** Drops every offset >= offset; a batch straddling it goes whole. The next append gets `offset`. */
  truncateTo (offset: bigint): Promise<void> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    if (offset < 0n) return Promise.reject(new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset))
    if (offset >= this.nextAssign) return this.enqueue(async () => {})
    this.nextAssign = offset
    // Now, not in the queued step: an append made meanwhile must see the truncated history.
    if (offset < this.startOffset) this.leaderEpochCache.clear()
    else this.leaderEpochCache.truncateFromEnd(offset)
    return this.enqueue(async () => {
      if (offset < this.startOffset) {
        await this.replaceAllSegments(offset)
        await this.leaderEpochCache.persist()
        return
      }
      while (this.segments.length > 1 && this.active.baseOffset > offset) {
        const gone = this.active
        this.segments = this.segments.slice(0, -1)
        await gone.delete()
      }
      await this.active.truncateTo(offset)
      this.active.nextOffset = offset
      this.endOffset = offset
      this.written = offset
      this.truncations++
      if (this.recoveryPoint > offset) this.recoveryPoint = offset
      this.txnIndex.truncateTo(offset)
      await this.leaderEpochCache.persist()
      await rebuildProducerState(this, this.cfg.clock())
    })
  }

  /** Empties the log and restarts it at `offset`, which also becomes the log start offset. */
  private async replaceAllSegments (offset: bigint): Promise<void> {
    for (const s of this.segments) await s.delete()
    this.segments = [await LogSegment.create(this.dir, offset, this.cfg)]
    this.startOffset = offset
    this.endOffset = offset
    this.written = offset
    this.truncations++
    this.nextAssign = offset
    this.recoveryPoint = offset
    await writeOffsetCheckpoint(this.dir, LOG_START_OFFSET_FILE, offset)
    this.producerState?.reset(offset)
    this.txnIndex?.clear()
    for (const name of await readdir(this.dir)) if (name.endsWith(SNAPSHOT_SUFFIX) || name.endsWith(TXN_INDEX_SUFFIX)) await rm(join(this.dir, name), { force: true })
  }

  /** DeleteRecords: advances the log start offset durably and removes segments wholly below it. */
  deleteRecordsBefore (offset: bigint): Promise<void> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    return this.enqueue(async () => {
      if (offset < 0n || offset > this.endOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset)
      if (offset <= this.startOffset) return
      this.startOffset = offset
      await writeOffsetCheckpoint(this.dir, LOG_START_OFFSET_FILE, offset)
      await this.truncateEpochsFromStart()
      while (this.segments.length > 1 && this.segments[1]!.baseOffset <= offset) {
        const gone = this.segments[0]!
        this.segments = this.segments.slice(1)
        await gone.delete()
      }
    })
  }

  /**
   * DeleteRecords: Kafka's maybeIncrementLogStartOffset. The new start is checkpointed at once; the
   * segments wholly below it go at the next retention pass. Beyond the high watermark is out of range.
   * Resolves to the log start offset afterwards.
   */
  incrementLogStartOffset (offset: bigint): Promise<bigint> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    return this.enqueue(async () => {
      if (offset < 0n || offset > this.endOffset) throw new OffsetOutOfRangeError(offset, this.startOffset, this.endOffset)
      if (offset > this.startOffset) {
        this.startOffset = offset
        await writeOffsetCheckpoint(this.dir, LOG_START_OFFSET_FILE, offset)
        await this.truncateEpochsFromStart()
      }
      return this.startOffset
    })
  }

  /**
   * One retention pass (Kafka's deleteOldSegments): segments wholly below the log start offset, then
   * the oldest segments beyond retention.bytes, then those whose largest timestamp is older than
   * retention.ms. Only a prefix of segments below the high watermark is ever removed; the active segment
   * counts too, and a new empty one is rolled first when every segment goes. Returns segments removed.
   */
  deleteOldSegments (policy: RetentionPolicy): Promise<number> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    return this.enqueue(async () => {
      let n = await this.deleteSegmentsWhile(policy, (seg, next) => next !== undefined && next.baseOffset <= this.startOffset)
      if (!policy.deleteEnabled) return n
      if (policy.retentionBytes >= 0) {
        let diff = this.sizeInBytes() - policy.retentionBytes
        if (diff > 0) {
          n += await this.deleteSegmentsWhile(policy, seg => {
            if (diff - seg.size < 0) return false
            diff -= seg.size
            return true
          })
        }
      }
      if (policy.retentionMs >= 0) {
        const now = policy.now ?? this.cfg.clock()
        n += await this.deleteSegmentsWhile(policy, async seg => now - await seg.largestTimestamp() > policy.retentionMs)
      }
      return n
    })
  }

  private async deleteSegmentsWhile (policy: RetentionPolicy, predicate: (seg: LogSegment, next: LogSegment | undefined) => boolean | Promise<boolean>): Promise<number> {
    const deletable: LogSegment[] = []
    const segs = this.segments
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i]!
      const next = segs[i + 1]
      const upperBound = next?.baseOffset ?? this.written
      if (next === undefined && seg.size === 0) break
      if (this.endOffset < upperBound) break
      if (!await predicate(seg, next)) break
      deletable.push(seg)
    }
    if (deletable.length === 0) return 0
    if (deletable.length === segs.length) await this.roll(this.written)
    this.segments = this.segments.slice(deletable.length)
    for (const seg of deletable) {
      this.unsynced.delete(seg)
      await this.scheduleDelete(seg, policy.fileDeleteDelayMs)
    }
    const first = this.segments[0]!.baseOffset
    if (first > this.startOffset) {
      this.startOffset = first
      await writeOffsetCheckpoint(this.dir, LOG_START_OFFSET_FILE, first)
      await this.truncateEpochsFromStart()
    }
    this.cfg.logger.info({ dir: this.dir, segments: deletable.map(s => s.baseOffset.toString()), logStartOffset: this.startOffset.toString() }, 'deleted old log segments')
    return deletable.length
  }

  /** The log start offset moved (retention, DeleteRecords): Kafka's truncateFromStart on the epoch cache. */
  private async truncateEpochsFromStart (): Promise<void> {
    if (this.leaderEpochCache.truncateFromStart(this.startOffset)) await this.leaderEpochCache.persist()
  }

  /** Renames the segment to .deleted now and removes it after the delay (Kafka's asyncDelete). */
  private async scheduleDelete (seg: LogSegment, delayMs: number): Promise<void> {
    await seg.retire()
    const t = setTimeout(() => {
      this.pendingDeletes.delete(seg)
      seg.delete().catch((err: unknown) => { this.cfg.logger.error({ err, segment: seg.logPath }, 'removing a deleted segment failed') })
    }, Math.min(delayMs, 0x7fffffff))
    t.unref()
    this.pendingDeletes.set(seg, t)
  }

  /**
   * The cleaner's swap: `cleaned` (files with the .cleaned suffix, already durable) replaces `old`, a
   * run of consecutive inactive segments, as Kafka does it: rename to .swap (the commit point that a
   * restart completes), retire the old segments, rename the swap to the live name. Returns false, and
   * changes nothing, when `old` is no longer part of the log (retention or truncation got there first).
   */
  replaceSegments (old: readonly LogSegment[], cleaned: LogSegment, fileDeleteDelayMs: number): Promise<boolean> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    return this.enqueue(async () => {
      const at = this.segments.indexOf(old[0]!)
      const intact = at >= 0 && old.every((s, i) => this.segments[at + i] === s) && at + old.length < this.segments.length
      if (!intact) return false
      await cleaned.changeSuffix(CLEANED_SUFFIX, SWAP_SUFFIX)
      await syncDir(this.dir)
      for (const s of old) await this.scheduleDelete(s, fileDeleteDelayMs)
      await cleaned.changeSuffix(SWAP_SUFFIX, '')
      await syncDir(this.dir)
      const next = [...this.segments]
      next.splice(at, old.length, cleaned)
      this.segments = next
      return true
    })
  }

  /** Makes everything appended so far durable and records it as the recovery point. */
  flush (): Promise<void> {
    const bad = this.unusable()
    if (bad !== undefined) return Promise.reject(bad)
    return this.enqueue(async () => { await this.flushAll() })
  }

  private async flushAll (): Promise<void> {
    await this.backgroundFlush
    for (const s of this.segments) if (s.nextOffset > this.recoveryPoint || s === this.active) await s.flush()
    await syncDir(this.dir)
    this.recoveryPoint = this.written
    this.lastFlushedAt = this.cfg.clock()
    await writeOffsetCheckpoint(this.dir, RECOVERY_POINT_FILE, this.recoveryPoint)
  }

  /** Flushes, closes the files and leaves a clean-shutdown marker so the next open trusts the indexes. */
  async close (): Promise<void> {
    await this.shutdown(true)
  }

  private async shutdown (markClean: boolean): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.enqueue(async () => {
      if (this.failure === undefined) {
        await this.flushAll()
        await takeSnapshot(this).write()
        await this.leaderEpochCache.persist()
      }
      for (const s of this.segments) await s.close()
      for (const [seg, t] of this.pendingDeletes) { clearTimeout(t); await seg.delete() }
      this.pendingDeletes.clear()
      if (markClean && this.failure === undefined) {
        await writeFile(join(this.dir, CLEAN_SHUTDOWN_FILE), '')
        await syncDir(this.dir)
      }
    })
  }

  /** Closes the log and removes its directory (topic deletion). */
  async delete (): Promise<void> {
    await this.shutdown(false).catch(() => {})
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Rejects anything but a whole number of plausible v2 batches before any offset is handed out. */
function checkBatches (buf: Buffer): void {
  if (buf.length === 0) throw new InvalidBatchError('no record batches to append')
  for (let pos = 0; pos < buf.length;) {
    if (buf.length - pos < BATCH_HEADER_SIZE) throw new InvalidBatchError(`truncated batch header (${buf.length - pos} bytes)`, pos)
    const view = new BatchView(buf, pos)
    if (view.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) throw new InvalidBatchError(`invalid batch length ${view.batchLength}`, pos)
    if (pos + view.size > buf.length) throw new InvalidBatchError(`batch length ${view.batchLength} runs past the end of the input`, pos)
    if (view.magic !== 2) throw new InvalidBatchError(`unsupported magic ${view.magic}`, pos)
    if (view.lastOffsetDelta < 0) throw new InvalidBatchError(`negative lastOffsetDelta ${view.lastOffsetDelta}`, pos)
    pos += view.size
  }
}

/**
 * Length of the longest run of whole batches at the start of buf that fits maxBytes (the first batch
 * always counts) and stays below `limit`.
 */
function wholeBatchesPrefix (buf: Buffer, maxBytes: number, limit: bigint | undefined): number {
  let cut = 0
  while (cut + BATCH_HEADER_SIZE <= buf.length) {
    const view = new BatchView(buf, cut)
    if (view.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) break
    const size = view.size
    if (cut + size > buf.length) break
    if (cut > 0 && cut + size > maxBytes) break
    if (limit !== undefined && view.lastOffset >= limit) break
    cut += size
  }
  return cut
}

