// Rebuilding a partition's producer state at open (Kafka's UnifiedLog.rebuildProducerState): the newest
// snapshot at or below the log end is loaded, snapshots beyond the end (left by a crash that lost the
// tail) are deleted, and the batches from the snapshot to the end are replayed from their headers —
// markers decoded — so idempotence and open transactions survive any restart. Aborted transactions found
// in the replay that the .txnindex files lack (their write was lost) are added back.
import { BatchView, BATCH_HEADER_SIZE } from '../wire/record-batch.js'
import { DecodeError } from '../wire/decode-error.js'
import { listSnapshots, readSnapshot, deleteSnapshot, writeSnapshot, encodeSnapshot, CorruptSnapshotError } from './producer-state-snapshot.js'
import { decodeMarker } from './txn-marker.js'
import type { PartitionLog } from './partition-log.js'
import type { ProducerStateEntry } from './producer-state.js'

export { SNAPSHOT_SUFFIX } from './producer-state-snapshot.js'

const READ_CHUNK = 1024 * 1024
/** Snapshots kept after each write; older ones only speed up nothing. */
const SNAPSHOTS_KEPT = 2

export async function rebuildProducerState (log: PartitionLog, nowMs: number): Promise<void> {
  const ps = log.producerState
  const end = log.logEndOffset
  ps.reset(log.logStartOffset)
  let from = log.logStartOffset
  for (const offset of (await listSnapshots(log.dir)).reverse()) {
    if (offset > end) {
      await deleteSnapshot(log.dir, offset)
      continue
    }
    let entries: ProducerStateEntry[]
    try {
      entries = await readSnapshot(log.dir, offset)
    } catch (err) {
      if (!(err instanceof CorruptSnapshotError)) throw err
      await deleteSnapshot(log.dir, offset)
      continue
    }
    ps.loadEntries(entries, offset, nowMs)
    if (offset > from) from = offset
    break
  }
  log.txnIndex.truncateTo(end)
  const bases = log.segmentSummaries().map(s => s.baseOffset)
  let offset = from
  while (offset < end) {
    const { records } = await log.read(offset, READ_CHUNK, { maxOffset: end })
    if (records.length === 0) break
    let at = 0
    while (at + BATCH_HEADER_SIZE <= records.length) {
      const v = new BatchView(records, at)
      if (at + v.size > records.length) break
      const last = v.lastOffset
      if (last >= offset && v.producerId >= 0n) applyBatch(log, records, at, v, bases)
      if (last + 1n > offset) offset = last + 1n
      at += v.size
    }
    if (at === 0) break
  }
  ps.mapEndOffset = end
}

function applyBatch (log: PartitionLog, records: Buffer, at: number, v: BatchView, bases: bigint[]): void {
  const ps = log.producerState
  if (!v.isControl) {
    ps.applyData({ producerId: v.producerId, producerEpoch: v.producerEpoch, baseSequence: v.baseSequence, lastOffsetDelta: v.lastOffsetDelta, maxTimestamp: v.maxTimestamp, isTransactional: v.isTransactional }, v.baseOffset)
    return
  }
  let m
  try {
    m = decodeMarker(records, at)
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err
    return
  }
  if (m === null) return
  const done = ps.applyMarker({ ...m, timestamp: v.maxTimestamp }, v.baseOffset)
  if (!done.isAborted) return
  if (log.txnIndex.all().some(e => e.producerId === done.producerId && e.lastOffset === done.lastOffset)) return
  const entry = { producerId: done.producerId, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: ps.lastStableOffsetAfter(done) }
  log.txnIndex.add(entry)
  let base = bases[0] ?? 0n
  for (const b of bases) if (b <= done.lastOffset) base = b
  void log.txnIndex.persist(base, entry).catch(() => {})
}

/**
 * Captures the producer state now (synchronously, so it matches mapEndOffset exactly); `write` stores it
 * as <mapEndOffset>.snapshot and prunes older snapshots.
 */
export function takeSnapshot (log: PartitionLog): { write: () => Promise<void> } {
  const offset = log.producerState.mapEndOffset
  const bytes = encodeSnapshot(log.producerState.producers.values())
  return {
    write: async () => {
      await writeSnapshot(log.dir, offset, { bytes })
      const all = await listSnapshots(log.dir)
      for (const o of all.slice(0, Math.max(0, all.length - SNAPSHOTS_KEPT))) await deleteSnapshot(log.dir, o)
    }
  }
}
