// Writing and replaying coordinator records in a __consumer_offsets partition. Writes go through
// Partition.append like any produce, so they get offsets, leader epochs and durability the same way;
// replay streams the log a bounded chunk at a time so loading never holds a whole partition in memory.
import { encodeBatch, decodeBatches } from '../wire/records.js'
import type { Partition } from '../broker/partition.js'
import type { CoordinatorRecord } from './records.js'

export class AppendFailedError extends Error {
  constructor (readonly errorCode: number, message: string) { super(message) }
}

const NO_BYTES = Buffer.alloc(0)

/** Appends the records as one batch; resolves once the log has the batch, rejects with AppendFailedError. */
export async function appendRecords (p: Partition, records: CoordinatorRecord[]): Promise<void> {
  if (records.length === 0) return
  const outcome = await p.append(NO_BYTES, undefined, async () => await encodeBatch({ records: records.map(r => ({ key: r.key, value: r.value })) }))
  if ('errorCode' in outcome) throw new AppendFailedError(outcome.errorCode, outcome.message)
}

/** Where a scan sends transactional records and transaction markers instead of `onRecord`. */
export interface TxnScanHooks {
  data: (producerId: bigint, key: Buffer | null, value: Buffer | null) => void
  marker: (producerId: bigint, commit: boolean) => void
}

/**
 * Calls `onRecord` for every data record from the log start to the end as it was when the scan began,
 * in offset order. Control batches are skipped; with `txn`, transactional batches and markers go to it.
 */
export async function scanRecords (p: Partition, chunkBytes: number, onRecord: (key: Buffer | null, value: Buffer | null) => void, txn?: TxnScanHooks): Promise<void> {
  const end = p.log.logEndOffset
  let offset = p.log.logStartOffset
  while (offset < end) {
    const { records } = await p.log.read(offset, chunkBytes, { maxOffset: end })
    if (records.length === 0) break
    const batches = await decodeBatches(records)
    if (batches.length === 0) break
    for (const b of batches) {
      if (txn !== undefined && b.isTransactional && b.producerId >= 0n) {
        if (b.baseOffset + BigInt(b.lastOffsetDelta) < offset) continue
        if (!b.isControl) for (const r of b.records) txn.data(b.producerId, r.key, r.value)
        // EndTxnMarker key: int16 version, int16 type (1 = commit).
        else if (b.records[0]?.key != null && b.records[0].key.length >= 4) txn.marker(b.producerId, b.records[0].key.readInt16BE(2) === 1)
        continue
      }
      if (!b.isControl) for (const r of b.records) if (r.offset >= offset) onRecord(r.key, r.value)
    }
    const last = batches[batches.length - 1]!
    offset = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n
  }
}
