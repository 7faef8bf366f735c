// Record-level timestamps of one stored batch, for ListOffsets: Kafka answers with the first *record*
// whose timestamp reaches the target, and for MAX_TIMESTAMP with the first record carrying the
// batch's max timestamp. Only the record prefix (length, attributes, timestampDelta, offsetDelta) is
// read; keys, values and headers are skipped by length.
import { Reader } from '../wire/reader.js'
import { BatchView, BATCH_HEADER_SIZE, Compression } from '../wire/record-batch.js'

export interface RecordTimestamp { offset: bigint, timestamp: bigint }

/**
 * The (offset, timestamp) of each record, or undefined when the records are compressed: the log
 * keeps batches opaque and does not decompress them (see the fallbacks in partition-log.ts).
 */
export function recordTimestamps (batch: Buffer): RecordTimestamp[] | undefined {
  const view = new BatchView(batch)
  const base = view.baseOffset
  if (view.isLogAppendTime) {
    // Every record of a LogAppendTime batch reads back with the batch's max timestamp.
    const ts = view.maxTimestamp
    const out: RecordTimestamp[] = []
    for (let d = 0; d <= view.lastOffsetDelta; d++) out.push({ offset: base + BigInt(d), timestamp: ts })
    return out
  }
  if (view.compression !== Compression.None) return undefined
  const baseTs = view.baseTimestamp
  const r = new Reader(batch, BATCH_HEADER_SIZE, Math.min(batch.length, view.size))
  const out: RecordTimestamp[] = []
  const count = view.recordsCount
  for (let i = 0; i < count && r.remaining > 0; i++) {
    const length = r.varint()
    const start = r.offset
    r.int8()
    const tsDelta = r.varlong()
    const offsetDelta = r.varint()
    out.push({ offset: base + BigInt(offsetDelta), timestamp: baseTs + tsDelta })
    r.offset = start
    r.raw(length)
  }
  return out
}
