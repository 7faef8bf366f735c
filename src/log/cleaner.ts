// The log cleaner for cleanup.policy=compact: keeps the latest record per key in the inactive part of
// a log, as Kafka's Cleaner does. One pass builds a key -> latest offset map over the dirty range
// [first dirty offset, first uncleanable offset), then rewrites every inactive segment up to the end of
// that map, group by group, into .cleaned files that replace the originals through Kafka's swap
// protocol (PartitionLog.replaceSegments). Offsets never change: records are dropped from batches
// (gaps allowed), each rewritten batch keeps its base offset, last offset, producer fields and flags,
// and is recompressed with its own codec. Work happens batch by batch with a yield to the event loop
// in between, and never touches the active segment, so appends and reads carry on meanwhile.
// Transactions as Kafka's cleaner treats them: nothing at or after the first unstable offset is
// cleaned; records of aborted transactions are removed (and never shadow a key in the offset map); an
// abort marker stays while a pass still saw its transaction's data, a commit marker while its
// transaction has data left; a marker with nothing left gets a delete horizon (now + delete.retention.ms)
// and goes at the first pass past it, its aborted-transaction index entry with it.
import { createHash } from 'node:crypto'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { BatchView, ATTRIBUTES, BASE_TIMESTAMP, CRC, DELETE_HORIZON_MASK } from '../wire/record-batch.js'
import { decodeBatch, encodeBatch, type DecodedBatch, type Record } from '../wire/records.js'
import { readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint.js'
import type { PartitionLog } from './partition-log.js'
import { CLEANED_SUFFIX, LogSegment, type PendingBatch } from './segment.js'
import { decodeMarker } from './txn-marker.js'
import type { AbortedTxn } from './txn-index.js'

/** Where a log's cleaning got to: offsets below it are clean. Kafka keeps one such file per log dir. */
export const CLEANER_CHECKPOINT_FILE = 'cleaner-offset-checkpoint'

export interface CleanerConfig {
  /** min.cleanable.dirty.ratio */
  minCleanableRatio: number
  /** min.compaction.lag.ms */
  minCompactionLagMs: number
  /** max.compaction.lag.ms */
  maxCompactionLagMs: number
  /** delete.retention.ms */
  deleteRetentionMs: number
  /** file.delete.delay.ms */
  fileDeleteDelayMs: number
  /** Most keys the offset map holds in one pass (Kafka derives it from log.cleaner.dedupe.buffer.size). */
  maxMapEntries: number
  now: number
  /** Polled between batches; true makes the pass stop and discard its unfinished output. */
  abort?: () => boolean
}

export class CleaningAbortedError extends Error {
  override name = 'CleaningAbortedError'
}

export interface CleanableRange {
  firstDirtyOffset: bigint
  firstUncleanableOffset: bigint
  cleanBytes: number
  cleanableBytes: number
  ratio: number
  /** max.compaction.lag.ms has been exceeded by the oldest dirty segment. */
  needCompactionNow: boolean
}

export interface CleanStats {
  /** False when nothing was cleanable (ratio below the minimum and no compaction lag exceeded). */
  cleaned: boolean
  bytesRead: number
  bytesWritten: number
  recordsRead: number
  recordsRetained: number
  segmentsReplaced: number
  /** The first dirty offset after this pass. */
  endOffset: bigint
}

const NOTHING: Omit<CleanStats, 'endOffset'> = { cleaned: false, bytesRead: 0, bytesWritten: 0, recordsRead: 0, recordsRetained: 0, segmentsReplaced: 0 }

/** Bytes of the segments overlapping [from, to), each segment ending where the next begins. */
function bytesBetween (segs: readonly LogSegment[], from: bigint, to: bigint): number {
  let n = 0
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!
    const end = segs[i + 1]?.baseOffset ?? s.nextOffset
    if (s.baseOffset < to && end > from) n += s.size
  }
  return n
}

/** Kafka's LogCleanerManager.cleanableOffsets and the dirty-ratio / compaction-lag test around it. */
export async function cleanableRange (log: PartitionLog, cfg: Pick<CleanerConfig, 'minCompactionLagMs' | 'maxCompactionLagMs' | 'now'>): Promise<CleanableRange> {
  const segs = log.segmentsSnapshot()
  const active = segs[segs.length - 1]!
  const inactive = segs.slice(0, -1)
  for (const s of inactive) await s.load()
  const start = log.logStartOffset
  const checkpoint = await readOffsetCheckpoint(log.dir, CLEANER_CHECKPOINT_FILE)
  let firstDirty = checkpoint ?? start
  if (firstDirty < start || firstDirty > log.logEndOffset) firstDirty = start
  let firstUncleanable = active.baseOffset < log.logEndOffset ? active.baseOffset : log.logEndOffset
  // An undecided transaction cannot be cleaned: whether its records stay is not known yet.
  const unstable = log.producerState.firstUnstableOffset()
  if (unstable !== null && unstable < firstUncleanable) firstUncleanable = unstable
  const dirtyInactive = inactive.filter((s, i) => (inactive[i + 1]?.baseOffset ?? active.baseOffset) > firstDirty)
  if (cfg.minCompactionLagMs > 0) {
    for (const s of dirtyInactive) {
      if (await s.largestTimestamp() > cfg.now - cfg.minCompactionLagMs) {
        if (s.baseOffset < firstUncleanable) firstUncleanable = s.baseOffset
        break
      }
    }
  }
  // The first uncleanable offset is always a segment boundary: the base of the segment holding it.
  for (let i = segs.length - 1; i >= 0; i--) {
    if (segs[i]!.baseOffset <= firstUncleanable) { firstUncleanable = segs[i]!.baseOffset; break }
  }
  if (firstUncleanable < firstDirty) firstUncleanable = firstDirty
  let needCompactionNow = false
  if (cfg.maxCompactionLagMs > 0) {
    let earliest = Number.MAX_SAFE_INTEGER
    for (const s of dirtyInactive) {
      const ts = await s.firstBatchTimestamp()
      if (ts > 0n && Number(ts) < earliest) earliest = Number(ts)
    }
    needCompactionNow = earliest < cfg.now - cfg.maxCompactionLagMs
  }
  const cleanBytes = bytesBetween(segs, -1n, firstDirty)
  const cleanableBytes = bytesBetween(segs, firstDirty, firstUncleanable)
  const total = cleanBytes + cleanableBytes
  return { firstDirtyOffset: firstDirty, firstUncleanableOffset: firstUncleanable, cleanBytes, cleanableBytes, ratio: total === 0 ? 0 : cleanableBytes / total, needCompactionNow }
}

/** Kafka's filthiest-log test: compaction lag exceeded with something to clean, or ratio above the minimum. */
export function shouldClean (r: CleanableRange, minCleanableRatio: number): boolean {
  return (r.needCompactionNow && r.cleanableBytes > 0) || r.ratio > minCleanableRatio
}

/** Keys are hashed like Kafka's SkimpyOffsetMap (MD5) so the map's memory does not grow with key size. */
function keyId (key: Buffer): string {
  return key.length <= 16 ? 's' + key.toString('latin1') : 'h' + createHash('md5').update(key).digest().toString('latin1')
}

interface OffsetMap {
  map: Map<string, bigint>
  /** The last offset the map covers; records after it are kept as they are. */
  latestOffset: bigint
}

async function * batchesOf (seg: LogSegment): AsyncGenerator<Buffer> {
  seg.acquire()
  try {
    await seg.load()
    for await (const b of seg.headersFrom(0)) yield await seg.readAt(b.position, b.size)
  } finally {
    seg.release()
  }
}

async function decodeOrUndefined (batch: Buffer): Promise<DecodedBatch | undefined> {
  try {
    return await decodeBatch(batch)
  } catch {
    return undefined
  }
}

/**
 * Kafka's CleanedTransactionMetadata: walks batches in offset order knowing the aborted transactions
 * of the range, so each transactional batch is known aborted or not and each marker removable or not.
 */
class TxnTracker {
  private readonly pending: AbortedTxn[]
  private readonly aborted = new Map<bigint, { txn: AbortedTxn, observed: boolean }>()
  private readonly committed = new Set<bigint>()

  constructor (abortedTxns: readonly AbortedTxn[]) {
    this.pending = [...abortedTxns].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0))
  }

  private advance (lastOffset: bigint): void {
    while (this.pending.length > 0 && this.pending[0]!.firstOffset <= lastOffset) {
      const txn = this.pending.shift()!
      this.aborted.set(txn.producerId, { txn, observed: false })
    }
  }

  /** A data batch: true when it belongs to an aborted transaction (its records go). */
  onData (view: BatchView): boolean {
    this.advance(view.lastOffset)
    if (!view.isTransactional || view.producerId < 0n) return false
    const a = this.aborted.get(view.producerId)
    if (a !== undefined) {
      a.observed = true
      return true
    }
    this.committed.add(view.producerId)
    return false
  }

  /** A marker: whether it may go (nothing of its transaction left), and its index entry for an abort. */
  onMarker (view: BatchView, commit: boolean): { removable: boolean, txn?: AbortedTxn } {
    this.advance(view.lastOffset)
    const pid = view.producerId
    if (commit) {
      this.aborted.delete(pid)
      return { removable: !this.committed.delete(pid) }
    }
    const a = this.aborted.get(pid)
    this.aborted.delete(pid)
    this.committed.delete(pid)
    return { removable: a === undefined || !a.observed, txn: a?.txn }
  }
}

async function buildOffsetMap (segs: readonly LogSegment[], from: bigint, to: bigint, maxEntries: number, txns: TxnTracker): Promise<OffsetMap> {
  const map = new Map<string, bigint>()
  let latestOffset = from - 1n
  let n = 0
  outer:
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!
    const end = segs[i + 1]?.baseOffset ?? s.nextOffset
    if (s.baseOffset >= to || end <= from) continue
    for await (const bytes of batchesOf(s)) {
      const view = new BatchView(bytes)
      if (view.lastOffset < from) continue
      if (view.baseOffset >= to) break outer
      if (map.size > 0 && map.size + view.recordsCount > maxEntries) break outer
      // Aborted records never shadow a key: the committed value before them is the live one.
      if (!view.isControl && !txns.onData(view)) {
        const d = await decodeOrUndefined(bytes)
        for (const r of d?.records ?? []) {
          if (r.offset < from || r.offset >= to || r.key === null) continue
          map.set(keyId(r.key), r.offset)
        }
      }
      latestOffset = view.lastOffset
      if (++n % 64 === 0) await yieldToLoop()
    }
  }
  return { map, latestOffset }
}

/** pid -> last offset of that producer's last batch anywhere in the log: those batches are never removed whole. */
async function lastBatchOfProducers (segs: readonly LogSegment[]): Promise<Map<bigint, bigint>> {
  const out = new Map<bigint, bigint>()
  for (const s of segs) {
    s.acquire()
    try {
      await s.load()
      for await (const b of s.headersFrom(0)) {
        const head = await s.readAt(b.position, 61)
        const pid = new BatchView(head).producerId
        if (pid >= 0n) out.set(pid, b.lastOffset)
      }
    } finally {
      s.release()
    }
  }
  return out
}

/** Splits segments into runs that fit one segment file and one segment's relative offsets (Kafka's groupSegmentsBySize). */
function groupBySize (segs: readonly LogSegment[], maxBytes: number, nextBase: (s: LogSegment) => bigint): LogSegment[][] {
  const groups: LogSegment[][] = []
  let cur: LogSegment[] = []
  let bytes = 0
  for (const s of segs) {
    const fits = cur.length > 0 && bytes + s.size <= maxBytes && nextBase(s) - 1n - cur[0]!.baseOffset <= 0x7fffffffn
    if (!fits && cur.length > 0) { groups.push(cur); cur = []; bytes = 0 }
    cur.push(s)
    bytes += s.size
  }
  if (cur.length > 0) groups.push(cur)
  return groups
}

interface FilterContext {
  offsets: OffsetMap
  producers: Map<bigint, bigint>
  now: number
  deleteRetentionMs: number
  txns: TxnTracker
  /** Index entries of the abort markers written to the current group's output. */
  keptAborts: AbortedTxn[]
}

/** A marker batch with its delete horizon set in the base timestamp (KIP-534). */
function withDeleteHorizon (bytes: Buffer, horizon: bigint): Buffer {
  const out = Buffer.from(bytes)
  out.writeBigInt64BE(horizon, BASE_TIMESTAMP)
  out.writeInt16BE(out.readInt16BE(ATTRIBUTES) | DELETE_HORIZON_MASK, ATTRIBUTES)
  out.writeUInt32BE(new BatchView(out).computeCrc(), CRC)
  return out
}

/** Kafka's handling of a control batch in Cleaner.filterInto: kept, horizon set, or dropped past it. */
function filterMarker (bytes: Buffer, view: BatchView, ctx: FilterContext): Buffer | undefined {
  let marker
  try {
    marker = decodeMarker(bytes)
  } catch {
    return bytes
  }
  if (marker === null) return bytes
  const { removable, txn } = ctx.txns.onMarker(view, marker.commit)
  const keep = (out: Buffer): Buffer => {
    if (txn !== undefined) ctx.keptAborts.push(txn)
    return out
  }
  // The producer's last batch carries its state across restarts: it stays, as Kafka's RETAIN_EMPTY.
  const lastOfProducer = ctx.producers.get(view.producerId) === view.lastOffset
  if (!removable || lastOfProducer) return keep(bytes)
  const hasHorizon = (view.attributes & DELETE_HORIZON_MASK) !== 0
  if (!hasHorizon) return keep(withDeleteHorizon(bytes, BigInt(ctx.now + ctx.deleteRetentionMs)))
  if (BigInt(ctx.now) >= view.baseTimestamp) return undefined
  return keep(bytes)
}

/**
 * Kafka's MemoryRecords.filterTo for one batch: the bytes to write in its place (the original, a
 * rebuilt batch, an empty header for a producer's last batch) or undefined to drop it.
 */
async function filterBatch (bytes: Buffer, ctx: FilterContext, stats: { read: number, kept: number }): Promise<Buffer | undefined> {
  const view = new BatchView(bytes)
  if (view.isControl) return filterMarker(bytes, view, ctx)
  const abortedTxn = ctx.txns.onData(view)
  const d = await decodeOrUndefined(bytes)
  // A batch that does not decode is kept as it is rather than lose records the cleaner cannot see.
  if (d === undefined) return bytes
  const hasHorizon = (view.attributes & DELETE_HORIZON_MASK) !== 0
  const horizon = hasHorizon ? view.baseTimestamp : undefined
  const retained: Record[] = []
  let tombstones = false
  for (const r of d.records) {
    stats.read++
    if (!abortedTxn && keep(r, ctx, horizon)) {
      retained.push(r)
      if (r.value === null) tombstones = true
    }
  }
  stats.kept += retained.length
  const lastOfProducer = view.producerId >= 0n && ctx.producers.get(view.producerId) === view.lastOffset
  // A rewritten batch keeps its offsets and producer fields, so producer state and sequences survive.
  const header = {
    baseOffset: view.baseOffset,
    lastOffsetDelta: view.lastOffsetDelta,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    isTransactional: view.isTransactional,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    timestampType: d.timestampType
  }
  if (retained.length === 0) {
    if (!lastOfProducer) return undefined
    return await encodeBatch({
      ...header,
      records: [],
      baseTimestamp: view.maxTimestamp,
      maxTimestamp: view.maxTimestamp
    })
  }
  const setHorizon = tombstones && !hasHorizon
  if (retained.length === d.records.length && !setHorizon) return bytes
  const newHorizon = setHorizon ? BigInt(ctx.now + ctx.deleteRetentionMs) : horizon
  const out = await encodeBatch({
    records: retained.map(r => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp, offsetDelta: Number(r.offset - view.baseOffset) })),
    ...header,
    compression: view.compression,
    baseTimestamp: newHorizon,
    maxTimestamp: d.timestampType === 'LogAppendTime' ? view.maxTimestamp : undefined
  })
  if (newHorizon !== undefined) {
    // The delete horizon lives in the base timestamp, flagged by attribute bit 0x40 (KIP-534).
    out.writeInt16BE(out.readInt16BE(ATTRIBUTES) | DELETE_HORIZON_MASK, ATTRIBUTES)
    out.writeUInt32BE(new BatchView(out).computeCrc(), CRC)
  }
  return out
}

/** Kafka's Cleaner.shouldRetainRecord. */
function keep (r: Record, ctx: FilterContext, horizon: bigint | undefined): boolean {
  if (r.offset > ctx.offsets.latestOffset) return true
  // Keyless records have no place in a compacted log; Kafka drops them too.
  if (r.key === null) return false
  const found = ctx.offsets.map.get(keyId(r.key))
  if (found !== undefined && r.offset < found) return false
  if (r.value !== null) return true
  return horizon === undefined || BigInt(ctx.now) < horizon
}

/**
 * Cleans `log` once if its dirty ratio or compaction lag calls for it. Safe to run beside appends,
 * reads, retention and truncation: replacements that lost a race are abandoned, never applied.
 */
export async function cleanLog (log: PartitionLog, cfg: CleanerConfig, force = false): Promise<CleanStats> {
  const range = await cleanableRange(log, cfg)
  if (!force && !shouldClean(range, cfg.minCleanableRatio)) return { ...NOTHING, endOffset: range.firstDirtyOffset }
  if (range.cleanableBytes === 0) return { ...NOTHING, endOffset: range.firstDirtyOffset }
  const segs = log.segmentsSnapshot()
  const inactive = segs.slice(0, -1)
  const mapTxns = new TxnTracker(log.txnIndex.collect(range.firstDirtyOffset, range.firstUncleanableOffset))
  const offsets = await buildOffsetMap(inactive, range.firstDirtyOffset, range.firstUncleanableOffset, cfg.maxMapEntries, mapTxns)
  const endOffset = offsets.latestOffset + 1n
  const producers = await lastBatchOfProducers(segs)
  const nextBase = (s: LogSegment): bigint => segs[segs.indexOf(s) + 1]?.baseOffset ?? s.nextOffset
  const toClean = inactive.filter(s => s.baseOffset < endOffset)
  // Every cleaned segment lies below the first unstable offset, so all of its transactions are decided.
  const cleanedEnd = toClean.length === 0 ? endOffset : nextBase(toClean[toClean.length - 1]!)
  const txns = new TxnTracker(toClean.length === 0 ? [] : log.txnIndex.collect(toClean[0]!.baseOffset, cleanedEnd))
  const ctx: FilterContext = { offsets, producers, now: cfg.now, deleteRetentionMs: cfg.deleteRetentionMs, txns, keptAborts: [] }
  const stats: CleanStats = { ...NOTHING, cleaned: true, endOffset }
  const counts = { read: 0, kept: 0 }
  for (const group of groupBySize(toClean, log.maxSegmentBytes, nextBase)) {
    const cleaned = await LogSegment.create(log.dir, group[0]!.baseOffset, log.segmentConfig, CLEANED_SUFFIX)
    ctx.keptAborts = []
    let committed = false
    try {
      let mtime = 0
      let n = 0
      for (const s of group) {
        mtime = Math.max(mtime, await s.lastModified().catch(() => 0))
        for await (const bytes of batchesOf(s)) {
          stats.bytesRead += bytes.length
          const out = await filterBatch(bytes, ctx, counts)
          if (out !== undefined) {
            const v = new BatchView(out)
            const pending: PendingBatch[] = [{ position: 0, size: out.length, lastOffset: v.lastOffset, maxTimestamp: v.maxTimestamp }]
            await cleaned.append(out, pending, false)
            stats.bytesWritten += out.length
          }
          if (++n % 16 === 0) await yieldToLoop()
          if (cfg.abort?.() === true) throw new CleaningAbortedError(`cleaning of ${log.dir} aborted`)
        }
      }
      cleaned.onBecomeInactive()
      await cleaned.flush()
      if (mtime > 0) await cleaned.setLastModified(mtime)
      committed = await log.replaceSegments(group, cleaned, cfg.fileDeleteDelayMs)
      if (!committed) return { ...stats, cleaned: false }
      stats.segmentsReplaced += group.length
      // Only markers still in the log keep their aborted-transaction entries (a read_committed consumer
      // would otherwise treat the producer's next transaction as aborted).
      await log.txnIndex.replaceRange(group[0]!.baseOffset, nextBase(group[group.length - 1]!), group[0]!.baseOffset, group.map(g => g.baseOffset), ctx.keptAborts)
    } finally {
      if (!committed) await cleaned.delete()
    }
  }
  stats.recordsRead = counts.read
  stats.recordsRetained = counts.kept
  await writeOffsetCheckpoint(log.dir, CLEANER_CHECKPOINT_FILE, endOffset)
  return stats
}
