// One segment of a partition log: the .log file of concatenated batches plus its sparse .index and
// .timeindex, all named by the segment's base offset. A segment found on disk at a clean start is
// loaded lazily (file opened, indexes read) on first use, so start-up does not grow with data size.
import { open, rename, rm, stat, utimes, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { batchHeaders, readFully, validateBatches, writeFully, type BatchInfo } from './batch-scan.js'
import { CorruptLogError } from './errors.js'
import { IndexFile } from './index-file.js'
import { OFFSET_ENTRY_SIZE, OffsetIndex } from './offset-index.js'
import { TIME_ENTRY_SIZE, TimeIndex } from './time-index.js'

export interface Logger {
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
}

export interface SegmentConfig {
  indexIntervalBytes: number
  segmentIndexBytes: number
  logger: Logger
  /** Wall clock in ms; injectable so time-based rolling and retention can be tested. */
  clock: () => number
}

/** What an append needs to know to decide whether the active segment must roll first (Kafka's RollParams). */
export interface RollParams {
  appendBytes: number
  lastOffset: bigint
  /** The largest timestamp among the batches being appended. */
  maxTimestamp: bigint
  segmentBytes: number
  segmentMs: number
  now: number
}

export const LOG_SUFFIX = '.log'
export const INDEX_SUFFIX = '.index'
export const TIME_INDEX_SUFFIX = '.timeindex'
export const DELETED_SUFFIX = '.deleted'
export const CLEANED_SUFFIX = '.cleaned'
export const SWAP_SUFFIX = '.swap'

export function segmentFileName (baseOffset: bigint, suffix: string): string {
  return baseOffset.toString().padStart(20, '0') + suffix
}

/** A batch about to be appended; position is relative to the start of the appended bytes. */
export type PendingBatch = Pick<BatchInfo, 'position' | 'size' | 'lastOffset' | 'maxTimestamp'>

export class LogSegment {
  // Paths change when the segment is renamed (.cleaned -> .swap -> live, live -> .deleted).
  logPath: string
  indexPath: string
  timeIndexPath: string
  /** Random slice of segment.jitter.ms taken off segment.ms for this segment, so logs do not all roll at once. */
  rollJitterMs = 0
  /** When this segment object was made: the roll clock for segments whose first batch has no timestamp. */
  readonly created: number
  /** The first batch's max timestamp, which time-based rolling is measured from; loaded lazily. */
  private rollingBasedTimestamp: bigint | undefined
  /** Bytes of whole batches that readers may see; grows only after a write has completed. */
  size: number
  /** Valid once loaded. */
  nextOffset: bigint
  maxTimestamp = -1n
  offsetOfMaxTimestamp: bigint
  private fh: FileHandle | undefined
  private offsetIdx: OffsetIndex | undefined
  private timeIdx: TimeIndex | undefined
  private bytesSinceLastIndexEntry = 0
  private loading: Promise<void> | undefined
  private readers = 0
  private isRetired = false

  private constructor (readonly dir: string, readonly baseOffset: bigint, private readonly cfg: SegmentConfig, size: number, suffix = '') {
    this.logPath = join(dir, segmentFileName(baseOffset, LOG_SUFFIX) + suffix)
    this.indexPath = join(dir, segmentFileName(baseOffset, INDEX_SUFFIX) + suffix)
    this.timeIndexPath = join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX) + suffix)
    this.size = size
    this.created = cfg.clock()
    this.nextOffset = baseOffset
    this.offsetOfMaxTimestamp = baseOffset
  }

  /** A new, empty segment; any stale files of the same name are replaced. `suffix` names a cleaner's output. */
  static async create (dir: string, baseOffset: bigint, cfg: SegmentConfig, suffix = ''): Promise<LogSegment> {
    const seg = new LogSegment(dir, baseOffset, cfg, 0, suffix)
    await rm(seg.indexPath, { force: true })
    await rm(seg.timeIndexPath, { force: true })
    seg.fh = await open(seg.logPath, 'w+')
    seg.offsetIdx = new OffsetIndex(seg.indexPath, baseOffset, cfg.segmentIndexBytes)
    seg.timeIdx = new TimeIndex(seg.timeIndexPath, baseOffset, cfg.segmentIndexBytes)
    seg.loading = Promise.resolve()
    return seg
  }

  /** A segment already on disk, not yet opened. */
  static existing (dir: string, baseOffset: bigint, cfg: SegmentConfig, size: number): LogSegment {
    return new LogSegment(dir, baseOffset, cfg, size)
  }

  get loaded (): boolean { return this.fh !== undefined }
  /** Removed from its log (retention, cleaning, truncation); its files are gone or going. */
  get retired (): boolean { return this.isRetired }

  private get handle (): FileHandle {
    if (this.fh === undefined) throw new Error(`segment ${this.logPath} used before load`)
    return this.fh
  }

  get offsetIndex (): OffsetIndex {
    if (this.offsetIdx === undefined) throw new Error(`segment ${this.logPath} used before load`)
    return this.offsetIdx
  }

  get timeIndex (): TimeIndex {
    if (this.timeIdx === undefined) throw new Error(`segment ${this.logPath} used before load`)
    return this.timeIdx
  }

  /**
   * Opens the segment trusting its indexes if they pass a sanity check (sizes, monotonic entries, the
   * last offset entry pointing at a matching batch); otherwise rebuilds them by full recovery.
   */
  async load (): Promise<void> {
    this.loading ??= this.doLoad()
    await this.loading
  }

  private async doLoad (): Promise<void> {
    this.fh = await open(this.logPath, 'r+')
    this.size = (await this.fh.stat()).size
    const idx = await IndexFile.readIfExists(this.indexPath)
    const tidx = await IndexFile.readIfExists(this.timeIndexPath)
    let problem: string | undefined
    if (idx === undefined || tidx === undefined) problem = 'index file missing'
    else if (idx.length % OFFSET_ENTRY_SIZE !== 0 || tidx.length % TIME_ENTRY_SIZE !== 0) problem = 'index file size is not a whole number of entries'
    if (problem === undefined) {
      this.offsetIdx = new OffsetIndex(this.indexPath, this.baseOffset, this.cfg.segmentIndexBytes, idx)
      this.timeIdx = new TimeIndex(this.timeIndexPath, this.baseOffset, this.cfg.segmentIndexBytes, tidx)
      if (!this.offsetIdx.isConsistent(this.size) || !this.timeIdx.isConsistent()) problem = 'index entries out of order or past the end of the log'
      else problem = await this.scanTail()
    }
    if (problem !== undefined) {
      this.cfg.logger.warn({ segment: this.logPath, problem }, 'rebuilding segment indexes')
      this.offsetIdx = new OffsetIndex(this.indexPath, this.baseOffset, this.cfg.segmentIndexBytes)
      this.timeIdx = new TimeIndex(this.timeIndexPath, this.baseOffset, this.cfg.segmentIndexBytes)
      await this.recover()
    }
  }

  /**
   * Derives nextOffset and the max timestamp from the indexes plus the batches after them; returns a
   * problem when the indexes do not match the log. A segment that was closed, rolled or recovered has
   * its final max timestamp in the time index, so only the batches after the last offset index entry
   * are read; after a truncation the time index may lag, so the scan starts at its last entry instead.
   */
  private async scanTail (timeIndexComplete = true): Promise<string | undefined> {
    const lastOffsetEntry = this.offsetIndex.lastEntry()
    const lastTimeEntry = this.timeIndex.lastEntry()
    const from = timeIndexComplete ? lastOffsetEntry.position : this.offsetIndex.lookup(lastTimeEntry.offset).position
    let next = this.baseOffset
    let maxTs = lastTimeEntry.timestamp
    let maxTsOffset = lastTimeEntry.offset
    let sawLastEntry = this.offsetIndex.entries === 0
    try {
      for await (const b of batchHeaders(this.handle, this.logPath, from, this.size)) {
        if (!sawLastEntry && b.position === lastOffsetEntry.position) {
          if (b.lastOffset !== lastOffsetEntry.offset) return `offset index entry ${lastOffsetEntry.offset} does not match the batch at ${b.position}`
          sawLastEntry = true
        }
        if (b.maxTimestamp > maxTs) { maxTs = b.maxTimestamp; maxTsOffset = b.lastOffset }
        next = b.lastOffset + 1n
      }
    } catch (err) {
      if (err instanceof CorruptLogError) return err.message
      throw err
    }
    if (!sawLastEntry) return 'offset index entry does not start a batch'
    if (lastTimeEntry.offset >= next && this.timeIndex.entries > 0) return 'time index points past the log'
    this.nextOffset = next
    this.maxTimestamp = maxTs
    this.offsetOfMaxTimestamp = maxTsOffset
    this.bytesSinceLastIndexEntry = 0
    return undefined
  }

  /**
   * Validates every batch, truncates the file at the first torn or corrupt one and rebuilds both
   * indexes. Returns the number of bytes truncated.
   */
  async recover (): Promise<number> {
    if (this.fh === undefined) {
      this.fh = await open(this.logPath, 'r+')
      this.loading = Promise.resolve()
    }
    this.offsetIdx ??= new OffsetIndex(this.indexPath, this.baseOffset, this.cfg.segmentIndexBytes)
    this.timeIdx ??= new TimeIndex(this.timeIndexPath, this.baseOffset, this.cfg.segmentIndexBytes)
    const offsetIndex = this.offsetIndex
    const timeIndex = this.timeIndex
    offsetIndex.reset()
    timeIndex.reset()
    const fileSize = (await this.handle.stat()).size
    let maxTs = -1n
    let maxTsOffset = this.baseOffset
    let next = this.baseOffset
    let lastIndexedAt = 0
    const result = await validateBatches(this.handle, fileSize, this.baseOffset, (b) => {
      if (b.maxTimestamp > maxTs) { maxTs = b.maxTimestamp; maxTsOffset = b.lastOffset }
      if (b.position - lastIndexedAt > this.cfg.indexIntervalBytes && !offsetIndex.isFull) {
        offsetIndex.append(b.lastOffset, b.position)
        timeIndex.maybeAppend(maxTs, maxTsOffset)
        lastIndexedAt = b.position
      }
      next = b.lastOffset + 1n
    })
    const truncated = fileSize - result.validBytes
    if (truncated > 0) {
      this.cfg.logger.warn({ segment: this.logPath, position: result.validBytes, truncatedBytes: truncated, problem: result.problem },
        `truncating ${truncated} bytes of invalid data at byte ${result.validBytes} of ${this.logPath}: ${result.problem ?? ''}`)
      await this.handle.truncate(result.validBytes)
    }
    if (maxTs >= 0n) timeIndex.maybeAppend(maxTs, maxTsOffset, true)
    this.size = result.validBytes
    this.nextOffset = next
    this.maxTimestamp = maxTs
    this.offsetOfMaxTimestamp = maxTsOffset
    this.bytesSinceLastIndexEntry = 0
    await offsetIndex.persist(false)
    await timeIndex.persist(false)
    return truncated
  }

  /**
   * Kafka's LogSegment.shouldRoll: roll before an append that would overflow the file, an index or the
   * relative offsets, or once the segment has waited segment.ms (less its jitter) to roll. An empty
   * segment never rolls: rolling it would only make another empty one at the same base offset.
   */
  async shouldRoll (p: RollParams): Promise<boolean> {
    if (this.size === 0) return false
    if (this.size > p.segmentBytes - p.appendBytes || this.offsetIndex.isFull || this.timeIndex.isFull || p.lastOffset - this.baseOffset > 0x7fffffffn) return true
    return await this.timeWaitedForRoll(p.now, p.maxTimestamp) > p.segmentMs - this.rollJitterMs
  }

  /**
   * Measured from the first batch's max timestamp to the incoming batch's max timestamp when the first
   * batch has one, else from when this segment was created (or loaded) by the wall clock, as Kafka does.
   */
  async timeWaitedForRoll (now: number, messageTimestamp: bigint): Promise<number> {
    const first = await this.firstBatchTimestamp()
    if (first >= 0n) return Number(messageTimestamp - first)
    return now - this.created
  }

  /** The first batch's max timestamp (-1 when it has none or the segment is empty). */
  async firstBatchTimestamp (): Promise<bigint> {
    if (this.rollingBasedTimestamp === undefined) {
      await this.load()
      for await (const b of this.headersFrom(0)) {
        this.rollingBasedTimestamp = b.maxTimestamp
        break
      }
    }
    return this.rollingBasedTimestamp ?? -1n
  }

  /** Retention's view of the segment's age: its max timestamp, or the file's mtime when no batch has one. */
  async largestTimestamp (): Promise<number> {
    await this.load()
    if (this.maxTimestamp >= 0n) return Number(this.maxTimestamp)
    return await this.lastModified()
  }

  async lastModified (): Promise<number> {
    return (await stat(this.logPath)).mtimeMs
  }

  async setLastModified (ms: number): Promise<void> {
    const t = ms / 1000
    await utimes(this.logPath, t, t)
  }

  async append (buf: Buffer, batches: PendingBatch[], sync: boolean): Promise<void> {
    const start = this.size
    if (start === 0) {
      let ts = -1n
      for (const b of batches) if (b.maxTimestamp > ts) ts = b.maxTimestamp
      this.rollingBasedTimestamp = ts
    }
    await writeFully(this.handle, buf, start)
    if (sync) await this.handle.datasync()
    const offsetIndex = this.offsetIndex
    const timeIndex = this.timeIndex
    for (const b of batches) {
      if (b.maxTimestamp > this.maxTimestamp) { this.maxTimestamp = b.maxTimestamp; this.offsetOfMaxTimestamp = b.lastOffset }
      if (this.bytesSinceLastIndexEntry > this.cfg.indexIntervalBytes && !offsetIndex.isFull) {
        offsetIndex.append(b.lastOffset, start + b.position)
        timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp)
        this.bytesSinceLastIndexEntry = 0
      }
      this.bytesSinceLastIndexEntry += b.size
    }
    // Publishing the new size last is what keeps readers away from bytes still being written.
    this.size = start + buf.length
    const last = batches[batches.length - 1]
    if (last !== undefined) this.nextOffset = last.lastOffset + 1n
  }

  /** The first batch whose lastOffset >= offset, found from the offset index; null past the end. */
  async translateOffset (offset: bigint, minPosition = 0): Promise<BatchInfo | null> {
    const end = this.size
    const from = Math.max(this.offsetIndex.lookup(offset).position, minPosition)
    for await (const b of batchHeaders(this.handle, this.logPath, from, end)) {
      if (b.lastOffset >= offset) return b
    }
    return null
  }

  /** Headers of the batches in [from, size). */
  headersFrom (from: number): AsyncGenerator<BatchInfo> {
    return batchHeaders(this.handle, this.logPath, from, this.size)
  }

  /** Up to `length` bytes at `position`, fewer if the file is shorter (after a concurrent truncation). */
  async readAt (position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length)
    const n = await readFully(this.handle, buf, position)
    return n === length ? buf : buf.subarray(0, n)
  }

  /** Drops batches holding offsets >= offset (a batch straddling it goes whole). Returns bytes dropped. */
  async truncateTo (offset: bigint): Promise<number> {
    await this.load()
    const hit = await this.translateOffset(offset)
    this.offsetIndex.truncateToOffset(offset)
    this.timeIndex.truncateToOffset(offset)
    if (hit === null) return 0
    const dropped = this.size - hit.position
    this.size = hit.position
    if (hit.position === 0) this.rollingBasedTimestamp = undefined
    await this.handle.truncate(hit.position)
    this.maxTimestamp = -1n
    this.offsetOfMaxTimestamp = this.baseOffset
    const problem = await this.scanTail(false)
    if (problem !== undefined) throw new CorruptLogError(problem, this.logPath, hit.position)
    return dropped
  }

  /** Records the segment's final max timestamp in its time index, as Kafka does when a segment goes inactive. */
  onBecomeInactive (): void {
    if (this.timeIdx !== undefined && this.maxTimestamp >= 0n) this.timeIdx.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp, true)
  }

  /**
   * Makes the log file's written bytes durable (data only: the indexes are rebuilt by recovery). A
   * retired segment is skipped: its records are no longer part of the log.
   */
  async syncData (): Promise<void> {
    if (this.isRetired || this.fh === undefined) return
    this.readers++
    try {
      await this.fh.datasync()
    } finally {
      this.release()
    }
  }

  async flush (): Promise<void> {
    if (this.fh === undefined || this.isRetired) return
    await this.fh.datasync()
    await this.offsetIdx?.persist(true)
    await this.timeIdx?.persist(true)
  }

  acquire (): void { this.readers++ }

  release (): void {
    this.readers--
    if (this.readers === 0 && this.isRetired) void this.closeHandles().catch(() => {})
  }

  private async closeHandles (): Promise<void> {
    const fh = this.fh
    this.fh = undefined
    this.loading = undefined
    await this.offsetIdx?.close()
    await this.timeIdx?.close()
    if (fh !== undefined) await fh.close()
  }

  /** Persists the indexes and closes the files; the segment can be loaded again later. */
  async close (): Promise<void> {
    if (this.fh !== undefined) {
      this.onBecomeInactive()
      await this.offsetIdx?.persist(false)
      await this.timeIdx?.persist(false)
    }
    await this.closeHandles()
  }

  /**
   * Removes the files. Unlinking keeps open handles valid on POSIX, so in-flight reads finish; the
   * handles close when the last reader releases.
   */
  async delete (): Promise<void> {
    this.isRetired = true
    await rm(this.logPath, { force: true })
    await rm(this.indexPath, { force: true })
    await rm(this.timeIndexPath, { force: true })
    if (this.readers === 0) await this.closeHandles()
  }

  /**
   * Kafka's asynchronous delete, first half: the files get the .deleted suffix so a restart removes
   * them, readers already in the segment finish through their open handles (or reopen the renamed
   * file), and `delete` removes them after file.delete.delay.ms.
   */
  async retire (): Promise<void> {
    this.isRetired = true
    await this.changeSuffix('', DELETED_SUFFIX)
    if (this.readers === 0) await this.closeHandles()
  }

  /** Renames the three files from `from` to `to` suffixes; a missing index is not an error (it is rebuilt on load). */
  async changeSuffix (from: string, to: string): Promise<void> {
    const swap = (p: string): string => (from === '' ? p : p.slice(0, -from.length)) + to
    await rename(this.logPath, swap(this.logPath))
    this.logPath = swap(this.logPath)
    for (const which of ['indexPath', 'timeIndexPath'] as const) {
      const next = swap(this[which])
      await rename(this[which], next).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
      this[which] = next
    }
    this.offsetIdx?.moveTo(this.indexPath)
    this.timeIdx?.moveTo(this.timeIndexPath)
  }
}

