// Sparse offset index: entries of (offset - baseOffset: int32, file position: int32), big-endian like
// Kafka's .index files. Each entry names the last offset of a batch and that batch's position.
import { IndexFile } from './index-file.js'

export const OFFSET_ENTRY_SIZE = 8

export interface OffsetPosition { offset: bigint, position: number }

export class OffsetIndex extends IndexFile {
  constructor (path: string, readonly baseOffset: bigint, maxIndexBytes: number, initial?: Buffer) {
    super(path, OFFSET_ENTRY_SIZE, Math.max(1, Math.floor(maxIndexBytes / OFFSET_ENTRY_SIZE)), initial)
  }

  private relOffset (i: number): number { return this.data.readInt32BE(i * OFFSET_ENTRY_SIZE) }
  private position (i: number): number { return this.data.readInt32BE(i * OFFSET_ENTRY_SIZE + 4) }

  entry (i: number): OffsetPosition {
    return { offset: this.baseOffset + BigInt(this.relOffset(i)), position: this.position(i) }
  }

  lastEntry (): OffsetPosition {
    return this.entries === 0 ? { offset: this.baseOffset, position: 0 } : this.entry(this.entries - 1)
  }

  /** The entry with the greatest offset <= target, or (baseOffset, 0) when there is none. */
  lookup (target: bigint): OffsetPosition {
    const rel = target - this.baseOffset
    if (rel < 0n || this.entries === 0) return { offset: this.baseOffset, position: 0 }
    const r = rel > 0x7fffffffn ? 0x7fffffff : Number(rel)
    let lo = 0
    let hi = this.entries - 1
    if (this.relOffset(0) > r) return { offset: this.baseOffset, position: 0 }
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.relOffset(mid) <= r) lo = mid
      else hi = mid - 1
    }
    return this.entry(lo)
  }

  append (offset: bigint, position: number): void {
    const at = this.grow()
    this.data.writeInt32BE(Number(offset - this.baseOffset), at)
    this.data.writeInt32BE(position, at + 4)
  }

  /** Drops entries for offsets >= offset. */
  truncateToOffset (offset: bigint): void {
    let n = this.entries
    while (n > 0 && this.entry(n - 1).offset >= offset) n--
    this.truncateToEntries(n)
  }

  /** Entries must rise strictly in both offset and position and stay inside the log file. */
  isConsistent (logSize: number): boolean {
    let prevRel = -1
    let prevPos = -1
    for (let i = 0; i < this.entries; i++) {
      const rel = this.relOffset(i)
      const pos = this.position(i)
      if (rel <= prevRel || pos <= prevPos || pos >= logSize) return false
      prevRel = rel
      prevPos = pos
    }
    return true
  }
}
