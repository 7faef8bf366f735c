// The aborted-transaction index (Kafka's TransactionIndex): one `.txnindex` file per segment, named by its
// base offset, holding 34-byte entries (int16 version 0, producer id, first offset, last offset, last
// stable offset) for every transaction aborted by a marker in that segment. All entries are also held in
// memory, in marker order, so a read_committed fetch collects the aborted transactions it overlaps at
// once, including those whose marker has an offset but is still being written.
import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const TXN_INDEX_SUFFIX = '.txnindex'
const ENTRY = 34
const VERSION = 0
const NAME = /^(\d{20})\.txnindex$/

export interface AbortedTxn { producerId: bigint, firstOffset: bigint, lastOffset: bigint, lastStableOffset: bigint }

export function txnIndexFileName (segmentBase: bigint): string {
  return segmentBase.toString().padStart(20, '0') + TXN_INDEX_SUFFIX
}

export function encodeAbortedTxn (e: AbortedTxn): Buffer {
  const b = Buffer.alloc(ENTRY)
  b.writeInt16BE(VERSION, 0)
  b.writeBigInt64BE(e.producerId, 2)
  b.writeBigInt64BE(e.firstOffset, 10)
  b.writeBigInt64BE(e.lastOffset, 18)
  b.writeBigInt64BE(e.lastStableOffset, 26)
  return b
}

/** Decodes a file's entries; a torn last entry (crash mid-write) or an unknown version ends the file. */
export function decodeAbortedTxns (buf: Buffer): AbortedTxn[] {
  const out: AbortedTxn[] = []
  for (let at = 0; at + ENTRY <= buf.length; at += ENTRY) {
    if (buf.readInt16BE(at) !== VERSION) break
    out.push({ producerId: buf.readBigInt64BE(at + 2), firstOffset: buf.readBigInt64BE(at + 10), lastOffset: buf.readBigInt64BE(at + 18), lastStableOffset: buf.readBigInt64BE(at + 26) })
  }
  return out
}

export class TxnIndex {
  private entries: AbortedTxn[] = []

  constructor (readonly dir: string) {}

  /** Reads the index files of the live segments; files of segments that are gone are removed. */
  static async load (dir: string, segmentBases: readonly bigint[]): Promise<TxnIndex> {
    const idx = new TxnIndex(dir)
    const live = new Set(segmentBases.map(b => b.toString()))
    const found: bigint[] = []
    for (const name of await readdir(dir)) {
      const m = NAME.exec(name)
      if (m === null) continue
      const base = BigInt(m[1]!)
      if (live.has(base.toString())) found.push(base)
      else await rm(join(dir, name), { force: true })
    }
    found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    for (const base of found) for (const e of decodeAbortedTxns(await readFile(join(dir, txnIndexFileName(base))))) idx.entries.push(e)
    idx.entries.sort((a, b) => (a.lastOffset < b.lastOffset ? -1 : a.lastOffset > b.lastOffset ? 1 : 0))
    return idx
  }

  get size (): number { return this.entries.length }
  all (): readonly AbortedTxn[] { return this.entries }

  /** Adds an entry in memory (at offset assignment); `persist` writes it to its segment's file. */
  add (e: AbortedTxn): void {
    this.entries.push(e)
  }

  /** Appends an entry to the file of the segment holding its marker. */
  async persist (segmentBase: bigint, e: AbortedTxn): Promise<void> {
    const fh = await open(join(this.dir, txnIndexFileName(segmentBase)), 'a')
    try {
      await fh.write(encodeAbortedTxn(e))
    } finally {
      await fh.close()
    }
  }

  /**
   * Kafka's collectAbortedTransactions: every aborted transaction that overlaps [startOffset,
   * upperBoundOffset), i.e. lastOffset >= startOffset and firstOffset < upperBoundOffset.
   */
  collect (startOffset: bigint, upperBoundOffset: bigint): AbortedTxn[] {
    const out: AbortedTxn[] = []
    // Entries are in lastOffset order: skip those ending before the start with a binary search.
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.entries[mid]!.lastOffset < startOffset) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.entries.length; i++) {
      const e = this.entries[i]!
      if (e.firstOffset < upperBoundOffset) out.push(e)
    }
    return out
  }

  /** Forgets entries wholly below the log start offset (their segments are gone or going). */
  dropBefore (logStartOffset: bigint): void {
    if (this.entries.length > 0 && this.entries[0]!.lastOffset < logStartOffset) this.entries = this.entries.filter(e => e.lastOffset >= logStartOffset)
  }

  /** Drops entries at or after `offset` (truncation). */
  truncateTo (offset: bigint): void {
    this.entries = this.entries.filter(e => e.lastOffset < offset)
  }

  clear (): void { this.entries = [] }

  /**
   * After the cleaner replaced the segments [from, to) by one based at `segmentBase`: the entries whose
   * markers lie there become `kept` (those whose marker survived), written to the new segment's file;
   * the files of the replaced segments with other bases go.
   */
  async replaceRange (from: bigint, to: bigint, segmentBase: bigint, replacedBases: readonly bigint[], kept: readonly AbortedTxn[]): Promise<void> {
    this.entries = [...this.entries.filter(e => e.lastOffset < from || e.lastOffset >= to), ...kept]
      .sort((a, b) => (a.lastOffset < b.lastOffset ? -1 : a.lastOffset > b.lastOffset ? 1 : 0))
    const file = join(this.dir, txnIndexFileName(segmentBase))
    if (kept.length === 0) {
      await rm(file, { force: true })
    } else {
      const tmp = file + '.tmp'
      await writeFile(tmp, Buffer.concat(kept.map(encodeAbortedTxn)))
      await rename(tmp, file)
    }
    for (const base of replacedBases) if (base !== segmentBase) await rm(join(this.dir, txnIndexFileName(base)), { force: true })
  }
}
