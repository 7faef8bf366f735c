// Which fetched batches a read_committed consumer may hand out: Kafka's consumer drops the batches of
// transactions the broker lists as aborted in the Fetch response, and never hands out control batches.
import type { DecodedBatch } from '../wire/records.js'

export const READ_UNCOMMITTED = 0
export const READ_COMMITTED = 1

export type IsolationLevel = 'read_uncommitted' | 'read_committed'

export function isolationCode (level: IsolationLevel): number {
  return level === 'read_committed' ? READ_COMMITTED : READ_UNCOMMITTED
}

export interface AbortedTransaction { producerId: bigint, firstOffset: bigint }

const ABORT_MARKER = 0

/** The control type of a control batch's (single) marker record: 0 ABORT, 1 COMMIT, -1 unreadable. */
export function controlType (batch: DecodedBatch): number {
  const key = batch.records[0]?.key
  if (key === null || key === undefined || key.length < 4) return -1
  return key.readInt16BE(2)
}

/**
 * The batches of one fetched partition a consumer may deliver. Under read_committed, a producer becomes
 * "aborted" once a batch at or past the first offset of one of its aborted transactions is reached, and
 * stays so until its ABORT marker; its transactional batches in between are dropped. The list is the one
 * answer of one fetch, so the state lives for one call as it lives for one CompletedFetch in Kafka.
 */
export function deliverableBatches (batches: DecodedBatch[], isolation: number, aborted: AbortedTransaction[] | null): DecodedBatch[] {
  if (isolation !== READ_COMMITTED) return batches.filter(b => !b.isControl)
  const pending = [...(aborted ?? [])].sort((a, b) => a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0)
  const abortedProducers = new Set<bigint>()
  const out: DecodedBatch[] = []
  for (const b of batches) {
    const lastOffset = b.baseOffset + BigInt(b.lastOffsetDelta)
    if (b.producerId >= 0n) {
      while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset) abortedProducers.add(pending.shift()!.producerId)
      if (b.isControl && controlType(b) === ABORT_MARKER) abortedProducers.delete(b.producerId)
      else if (b.isTransactional && abortedProducers.has(b.producerId)) continue
    }
    if (b.isControl) continue
    out.push(b)
  }
  return out
}
