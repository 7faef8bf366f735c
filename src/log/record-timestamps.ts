// Record-level timestamp lookups inside one stored batch, for ListOffsets: Kafka answers with the
// first *record* whose timestamp reaches the target, and for MAX_TIMESTAMP with the first record
// carrying the batch's max timestamp. This is the one place the log looks inside batches.
import { BatchView } from '../wire/record-batch.js'
import { decodeBatch } from '../wire/records.js'

export interface RecordTimestamp { offset: bigint, timestamp: bigint }

/** undefined: the records could not be decoded (e.g. a payload that fails to inflate). */
async function decodedTimestamps (batch: Buffer): Promise<RecordTimestamp[] | undefined> {
  try {
    return (await decodeBatch(batch)).records.map(r => ({ offset: r.offset, timestamp: r.timestamp }))
  } catch {
    return undefined
  }
}

/** The first record with timestamp >= ts and offset >= minOffset; null if none, undefined if undecodable. */
export async function firstRecordAtOrAfter (batch: Buffer, ts: bigint, minOffset: bigint): Promise<RecordTimestamp | null | undefined> {
  const view = new BatchView(batch)
  if (view.isLogAppendTime) {
    // Every record of a LogAppendTime batch reads back with the batch's max timestamp.
    if (view.maxTimestamp < ts || view.lastOffset < minOffset) return null
    const base = view.baseOffset
    return { offset: base > minOffset ? base : minOffset, timestamp: view.maxTimestamp }
  }
  const records = await decodedTimestamps(batch)
  if (records === undefined) return undefined
  return records.find(r => r.timestamp >= ts && r.offset >= minOffset) ?? null
}

/** The first record whose timestamp equals ts; null if none, undefined if undecodable. */
export async function firstRecordWithTimestamp (batch: Buffer, ts: bigint): Promise<RecordTimestamp | null | undefined> {
  const view = new BatchView(batch)
  if (view.isLogAppendTime) return view.maxTimestamp === ts ? { offset: view.baseOffset, timestamp: ts } : null
  const records = await decodedTimestamps(batch)
  if (records === undefined) return undefined
  return records.find(r => r.timestamp === ts) ?? null
}
