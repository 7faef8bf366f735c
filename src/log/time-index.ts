// Sparse time index: entries of (timestamp: int64, offset - baseOffset: int32), like Kafka's .timeindex.
// Timestamps rise strictly: an entry is only added when the segment's max timestamp grew.
import { IndexFile } from './index-file.js'

export const TIME_ENTRY_SIZE = 12

export interface TimestampOffset { timestamp: bigint, offset: bigint }

export class TimeIndex extends IndexFile {
  constructor (path: string, readonly baseOffset: bigint, maxIndexBytes: number, initial?: Buffer) {
    super(path, TIME_ENTRY_SIZE, Math.max(1, Math.floor(maxIndexBytes / TIME_ENTRY_SIZE)), initial)
  }

  private ts (i: number): bigint { return this.data.readBigInt64BE(i * TIME_ENTRY_SIZE) }

  entry (i: number): TimestampOffset {
    return { timestamp: this.ts(i), offset: this.baseOffset + BigInt(this.data.readInt32BE(i * TIME_ENTRY_SIZE + 8)) }
  }

  /** The last entry, or (-1, baseOffset) as Kafka reports for an empty time index. */
  lastEntry (): TimestampOffset {
    return this.entries === 0 ? { timestamp: -1n, offset: this.baseOffset } : this.entry(this.entries - 1)
  }

  /** The entry with the greatest timestamp <= target, or (-1, baseOffset). */
  lookup (target: bigint): TimestampOffset {
    if (this.entries === 0 || this.ts(0) > target) return { timestamp: -1n, offset: this.baseOffset }
    let lo = 0
    let hi = this.entries - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.ts(mid) <= target) lo = mid
      else hi = mid - 1
    }
    return this.entry(lo)
  }

  /**
   * Adds (timestamp, offset) if the timestamp is newer than the last entry. `force` lets the final
   * entry of a segment through even when the index is full, as Kafka does when a segment goes inactive.
   */
  maybeAppend (timestamp: bigint, offset: bigint, force = false): void {
    if (this.isFull && !force) return
    if (this.entries > 0 && timestamp <= this.ts(this.entries - 1)) return
    const at = this.grow()
    this.data.writeBigInt64BE(timestamp, at)
    this.data.writeInt32BE(Number(offset - this.baseOffset), at + 8)
  }

  /** Drops entries pointing at offsets >= offset. */
  truncateToOffset (offset: bigint): void {
    let n = this.entries
    while (n > 0 && this.entry(n - 1).offset >= offset) n--
    this.truncateToEntries(n)
  }

  isConsistent (): boolean {
    let prevTs: bigint | undefined
    let prevRel = -1
    for (let i = 0; i < this.entries; i++) {
      const t = this.ts(i)
      const rel = this.data.readInt32BE(i * TIME_ENTRY_SIZE + 8)
      if (rel < prevRel || rel < 0 || (prevTs !== undefined && t <= prevTs)) return false
      prevTs = t
      prevRel = rel
    }
    return true
  }
}
