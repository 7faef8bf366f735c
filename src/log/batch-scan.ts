// Walks batch headers in a segment file without decoding records. Two walkers: a fast one for reads
// (headers only, trusting bytes that passed recovery) and a validating one for recovery (every
// header checked and every CRC-32C verified).
import type { FileHandle } from 'node:fs/promises'
import { BatchView, BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC, RECORDS_COUNT } from '../wire/record-batch.js'
import { CorruptLogError } from './errors.js'

export interface BatchInfo {
  position: number
  size: number
  baseOffset: bigint
  lastOffset: bigint
  maxTimestamp: bigint
  leaderEpoch: number
}

export function batchInfo (view: BatchView, position: number): BatchInfo {
  return {
    position,
    size: view.size,
    baseOffset: view.baseOffset,
    lastOffset: view.lastOffset,
    maxTimestamp: view.maxTimestamp,
    leaderEpoch: view.partitionLeaderEpoch
  }
}

export async function readFully (fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

export async function writeFully (fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done)
    done += bytesWritten
  }
}

const READ_WINDOW = 16 * 1024

/** Iterates the headers of batches in [from, end) of a recovered segment file. */
export async function * batchHeaders (fh: FileHandle, file: string, from: number, end: number): AsyncGenerator<BatchInfo> {
  let window = Buffer.alloc(0)
  let windowAt = from
  let pos = from
  while (pos + BATCH_HEADER_SIZE <= end) {
    if (pos < windowAt || pos + BATCH_HEADER_SIZE > windowAt + window.length) {
      const len = Math.min(READ_WINDOW, end - pos)
      const buf = Buffer.allocUnsafe(len)
      const n = await readFully(fh, buf, pos)
      window = buf.subarray(0, n)
      windowAt = pos
      // The file shrank under us (a concurrent truncation): there are no more batches to offer.
      if (n < BATCH_HEADER_SIZE) return
    }
    const view = new BatchView(window, pos - windowAt)
    const size = view.size
    if (view.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD || pos + size > end) {
      throw new CorruptLogError(`invalid batch length ${view.batchLength}`, file, pos)
    }
    yield batchInfo(view, pos)
    pos += size
  }
}

export interface ValidationResult {
  validBytes: number
  /** Why validation stopped before the end of the file; undefined when the whole file is valid. */
  problem?: string
}

const RECOVERY_CHUNK = 1024 * 1024

/**
 * Validates every batch of a segment from its start, calling `onBatch` for each valid one, and stops
 * at the first torn or corrupt batch. Offsets must stay inside the segment's relative range and rise.
 */
export async function validateBatches (
  fh: FileHandle,
  fileSize: number,
  baseOffset: bigint,
  onBatch: (info: BatchInfo) => void
): Promise<ValidationResult> {
  let chunk = Buffer.alloc(0)
  let chunkAt = 0
  let pos = 0
  let nextOffset = baseOffset
  const fail = (problem: string): ValidationResult => ({ validBytes: pos, problem })
  while (pos < fileSize) {
    if (fileSize - pos < BATCH_HEADER_SIZE) return fail(`torn batch header (${fileSize - pos} trailing bytes)`)
    if (pos + BATCH_HEADER_SIZE > chunkAt + chunk.length) {
      const buf = Buffer.allocUnsafe(Math.min(RECOVERY_CHUNK, fileSize - pos))
      const n = await readFully(fh, buf, pos)
      chunk = buf.subarray(0, n)
      chunkAt = pos
      if (n < BATCH_HEADER_SIZE) return fail('file shorter than its reported size')
    }
    let view = new BatchView(chunk, pos - chunkAt)
    const batchLength = view.batchLength
    if (batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) return fail(`invalid batch length ${batchLength}`)
    if (chunk.readInt8(pos - chunkAt + MAGIC) !== 2) return fail(`unsupported magic ${view.magic}`)
    const size = batchLength + LOG_OVERHEAD
    if (pos + size > fileSize) return fail(`torn batch (${size} bytes declared, ${fileSize - pos} present)`)
    if (view.lastOffsetDelta < 0 || chunk.readInt32BE(pos - chunkAt + RECORDS_COUNT) < 0) return fail('negative lastOffsetDelta or record count')
    const base = view.baseOffset
    if (base < nextOffset) return fail(`offset ${base} does not follow ${nextOffset - 1n}`)
    if (view.lastOffset - baseOffset > 0x7fffffffn) return fail(`offset ${view.lastOffset} overflows the segment's relative offsets`)
    if (pos + size > chunkAt + chunk.length) {
      const buf = Buffer.allocUnsafe(Math.max(size, Math.min(RECOVERY_CHUNK, fileSize - pos)))
      const n = await readFully(fh, buf, pos)
      chunk = buf.subarray(0, n)
      chunkAt = pos
      if (chunk.length < size) return fail('file shorter than its reported size')
      view = new BatchView(chunk, 0)
    }
    if (!view.isCrcValid()) return fail(`CRC mismatch (stored ${view.crc}, computed ${view.computeCrc()})`)
    onBatch(batchInfo(view, pos))
    nextOffset = view.lastOffset + 1n
    pos += size
  }
  return { validBytes: pos }
}
