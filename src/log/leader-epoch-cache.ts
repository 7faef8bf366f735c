// A partition's leader epoch history (Kafka's LeaderEpochFileCache): for each leader epoch that wrote
// to the log, the offset its first batch got. OffsetForLeaderEpoch answers from it, and a follower or a
// consumer that saw an older epoch uses the answer to find where its copy diverges from this log.
//
// Kept in the partition directory as Kafka's `leader-epoch-checkpoint` (version line, count line, one
// "epoch startOffset" line per entry), so a Kafka tool reading a samsa data directory sees the same
// thing. Entries rise in both epoch and start offset; a partition has one per leader change, so the list
// stays a handful long and plain arrays beat a sorted map.
import { readCheckpointFile, writeCheckpointFile } from './checkpoint.js'

export const LEADER_EPOCH_CHECKPOINT_FILE = 'leader-epoch-checkpoint'
export const UNDEFINED_EPOCH = -1
export const UNDEFINED_EPOCH_OFFSET = -1n

const VERSION = 0
const INT32_MAX = 0x7fffffff
const INT64_MAX = 0x7fffffffffffffffn

export interface EpochEntry { epoch: number, startOffset: bigint }

export interface EpochEndOffset { leaderEpoch: number, endOffset: bigint }

interface WarnLogger { warn: (obj: object, msg?: string) => void }

/** The checkpoint file does not parse; the caller rebuilds the history from the log. */
export class CorruptEpochCheckpointError extends Error {
  override name = 'CorruptEpochCheckpointError'
}

export function encodeEpochCheckpoint (entries: readonly EpochEntry[]): string {
  let text = `${VERSION}\n${entries.length}\n`
  for (const e of entries) text += `${e.epoch} ${e.startOffset}\n`
  return text
}

// Java's Integer.parseInt / Long.parseLong, which CheckpointFile uses: optional sign, decimal digits.
function parseInteger (s: string, max: bigint, line: string, location: string): bigint {
  if (!/^[+-]?\d{1,20}$/.test(s)) throw new CorruptEpochCheckpointError(`malformed line in checkpoint file ${location}: ${line}`)
  const v = BigInt(s)
  if (v > max || v < -max - 1n) throw new CorruptEpochCheckpointError(`malformed line in checkpoint file ${location}: ${line}`)
  return v
}

/**
 * Parses the file as Kafka's CheckpointFile reads it: an empty file or one without a count line holds no
 * entries; any other line that is not two whitespace-separated numbers, a version other than 0, or a
 * count that does not match the lines is corruption.
 */
export function parseEpochCheckpoint (text: string, location = LEADER_EPOCH_CHECKPOINT_FILE): EpochEntry[] {
  const lines = text.split('\n').map(l => (l.endsWith('\r') ? l.slice(0, -1) : l))
  // A final line terminator does not start another line (BufferedReader.readLine).
  if (lines[lines.length - 1] === '') lines.pop()
  if (lines.length === 0) return []
  const version = parseInteger(lines[0]!, BigInt(INT32_MAX), lines[0]!, location)
  if (version !== BigInt(VERSION)) throw new CorruptEpochCheckpointError(`unrecognised version ${version} in checkpoint file ${location}, expected ${VERSION}`)
  if (lines.length === 1) return []
  const expected = Number(parseInteger(lines[1]!, BigInt(INT32_MAX), lines[1]!, location))
  const entries: EpochEntry[] = []
  for (const line of lines.slice(2)) {
    const parts = line.split(/\s+/)
    if (parts.length !== 2) throw new CorruptEpochCheckpointError(`malformed line in checkpoint file ${location}: ${line}`)
    const epoch = Number(parseInteger(parts[0]!, BigInt(INT32_MAX), line, location))
    const startOffset = parseInteger(parts[1]!, INT64_MAX, line, location)
    entries.push({ epoch, startOffset })
  }
  if (entries.length !== expected) throw new CorruptEpochCheckpointError(`expected ${expected} entries in checkpoint file ${location}, found ${entries.length}`)
  return entries
}

export class LeaderEpochCache {
  private entries: EpochEntry[] = []
  /** The newest epoch, UNDEFINED_EPOCH when there is none: the one compare an append makes. */
  latestEpoch = UNDEFINED_EPOCH
  /** Changed since the last persist. */
  private changed = false

  constructor (readonly dir: string, private readonly logger?: WarnLogger) {}

  /**
   * Reads the checkpoint file into the cache. Resolves false when there is none; throws
   * CorruptEpochCheckpointError when it does not parse or holds entries no leader could have written.
   */
  async load (): Promise<boolean> {
    const text = await readCheckpointFile(this.dir, LEADER_EPOCH_CHECKPOINT_FILE)
    if (text === undefined) return false
    const read = parseEpochCheckpoint(text, `${this.dir}/${LEADER_EPOCH_CHECKPOINT_FILE}`)
    this.clear()
    for (const e of read) {
      if (e.epoch < 0 || e.startOffset < 0n) throw new CorruptEpochCheckpointError(`invalid leader epoch entry ${e.epoch} ${e.startOffset} in ${this.dir}/${LEADER_EPOCH_CHECKPOINT_FILE}`)
      this.assign(e.epoch, e.startOffset)
    }
    // Entries that contradict each other were dropped by assign, as Kafka's loading drops them; only
    // then does the file need rewriting.
    this.changed = encodeEpochCheckpoint(this.entries) !== encodeEpochCheckpoint(read)
    return true
  }

  get dirty (): boolean { return this.changed }
  get size (): number { return this.entries.length }
  all (): readonly EpochEntry[] { return this.entries }
  latestEntry (): EpochEntry | undefined { return this.entries[this.entries.length - 1] }
  earliestEntry (): EpochEntry | undefined { return this.entries[0] }

  /**
   * Records that `epoch` starts at `startOffset`. Entries at or after it in epoch or offset contradict
   * it and go (a truncated log that a new leader wrote over). Returns whether anything changed.
   */
  assign (epoch: number, startOffset: bigint): boolean {
    if (!Number.isInteger(epoch) || epoch < 0 || epoch > INT32_MAX || startOffset < 0n) throw new RangeError(`invalid leader epoch entry ${epoch} ${startOffset}`)
    const latest = this.latestEntry()
    if (latest !== undefined && latest.epoch === epoch && latest.startOffset <= startOffset) return false
    let keep = this.entries.length
    while (keep > 0 && (this.entries[keep - 1]!.epoch >= epoch || this.entries[keep - 1]!.startOffset >= startOffset)) keep--
    const removed = this.entries.slice(keep)
    if (removed.length > 1 || (removed.length === 1 && removed[0]!.startOffset !== startOffset)) {
      // One entry at the same offset is an epoch that never wrote anything being superseded: expected.
      this.logger?.warn({ dir: this.dir, epoch, startOffset: startOffset.toString(), removed: removed.map(e => `${e.epoch}@${e.startOffset}`) }, 'new leader epoch entry truncated conflicting entries')
    }
    this.entries = [...this.entries.slice(0, keep), { epoch, startOffset }]
    this.latestEpoch = epoch
    this.changed = true
    return true
  }

  /**
   * Kafka's endOffsetFor: the largest known epoch <= requested and where it ends (the next epoch's start,
   * or the log end offset for the latest). Below every known epoch: the requested epoch and the first
   * entry's start, since what came before is gone from the log. -1/-1 for UNDEFINED or a newer epoch.
   */
  endOffsetFor (requested: number, logEndOffset: bigint): EpochEndOffset {
    if (requested === UNDEFINED_EPOCH) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
    if (this.entries.length > 0 && requested === this.latestEpoch) return { leaderEpoch: requested, endOffset: logEndOffset }
    const higher = this.entries.findIndex(e => e.epoch > requested)
    if (higher < 0) return { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET }
    const next = this.entries[higher]!
    if (higher === 0) return { leaderEpoch: requested, endOffset: next.startOffset }
    return { leaderEpoch: this.entries[higher - 1]!.epoch, endOffset: next.startOffset }
  }

  /** The epoch whose range holds `offset`, UNDEFINED_EPOCH before the first entry (Kafka's epochForOffset). */
  epochForOffset (offset: bigint): number {
    let found = UNDEFINED_EPOCH
    for (const e of this.entries) {
      if (e.startOffset > offset) break
      found = e.epoch
    }
    return found
  }

  /** The log was truncated to `endOffset`: epochs starting at or after it never happened. */
  truncateFromEnd (endOffset: bigint): boolean {
    if (endOffset < 0n) return false
    let keep = this.entries.length
    while (keep > 0 && this.entries[keep - 1]!.startOffset >= endOffset) keep--
    if (keep === this.entries.length) return false
    this.entries = this.entries.slice(0, keep)
    this.latestEpoch = this.latestEntry()?.epoch ?? UNDEFINED_EPOCH
    this.changed = true
    return true
  }

  /**
   * The log start offset moved to `startOffset`: epochs wholly below it go, and the one holding it now
   * starts there (an entry exactly at `startOffset` stays as it is).
   */
  truncateFromStart (startOffset: bigint): boolean {
    let drop = 0
    while (drop < this.entries.length && this.entries[drop]!.startOffset <= startOffset) drop++
    if (drop === 0) return false
    const holder = this.entries[drop - 1]!
    if (drop === 1 && holder.startOffset === startOffset) return false
    this.entries = [{ epoch: holder.epoch, startOffset }, ...this.entries.slice(drop)]
    this.changed = true
    return true
  }

  clear (): void {
    if (this.entries.length > 0) this.changed = true
    this.entries = []
    this.latestEpoch = UNDEFINED_EPOCH
  }

  /** Marks the cache as needing a write even if unchanged (a missing or corrupt file). */
  markDirty (): void { this.changed = true }

  /** Writes the checkpoint if anything changed since the last write. */
  async persist (): Promise<void> {
    if (!this.changed) return
    this.changed = false
    try {
      await writeCheckpointFile(this.dir, LEADER_EPOCH_CHECKPOINT_FILE, encodeEpochCheckpoint(this.entries))
    } catch (err) {
      this.changed = true
      throw err
    }
  }
}
