// Per-partition producer state, as Kafka's ProducerStateManager / ProducerAppendInfo keep it: for each
// producer id the current epoch, the metadata of its last five batches (for duplicate detection and
// sequence checks), the coordinator epoch of its last marker and the first offset of its ongoing
// transaction. The ongoing transactions give the partition's first unstable offset (the LSO).
//
// Checks follow Kafka 4.x: a batch from an older epoch is INVALID_PRODUCER_EPOCH; a new epoch must start
// at sequence 0 unless the producer is unknown; within an epoch the sequence must follow the last one
// (wrapping at Int32.MAX); a producer the partition has no state for is accepted at any sequence (Kafka no
// longer answers UNKNOWN_PRODUCER_ID since KIP-360). A batch equal in epoch and sequence range to one of
// the retained five is a duplicate, answered with the original offsets. Every check is synchronous, so the
// caller runs it at the moment the log hands out the batch's offsets.
import { ErrorCode } from '../wire/generated/errors.js'

/** ProducerStateEntry.NUM_BATCHES_TO_RETAIN: the in-flight window of idempotent producers. */
export const NUM_BATCHES_TO_RETAIN = 5
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
const INT32_MAX = 0x7fffffff

export interface BatchMetadata {
  lastSeq: number
  lastOffset: bigint
  offsetDelta: number
  timestamp: bigint
}

export function firstSeqOf (b: BatchMetadata): number {
  const s = b.lastSeq - b.offsetDelta
  return s < 0 ? s + INT32_MAX + 1 : s
}

export class ProducerStateEntry {
  readonly batches: BatchMetadata[] = []
  constructor (
    readonly producerId: bigint,
    public producerEpoch: number,
    public coordinatorEpoch: number,
    public lastTimestamp: bigint,
    /** First offset of the producer's ongoing transaction in this partition, -1 when none. */
    public currentTxnFirstOffset: bigint
  ) {}

  get lastSeq (): number { return this.batches.length === 0 ? NO_SEQUENCE : this.batches[this.batches.length - 1]!.lastSeq }
  get lastDataOffset (): bigint { return this.batches.length === 0 ? -1n : this.batches[this.batches.length - 1]!.lastOffset }

  /** A new epoch forgets the batches of the old one. */
  maybeUpdateEpoch (epoch: number): void {
    if (this.producerEpoch !== epoch) {
      this.batches.length = 0
      this.producerEpoch = epoch
    }
  }

  addBatch (epoch: number, lastSeq: number, lastOffset: bigint, offsetDelta: number, timestamp: bigint): void {
    this.maybeUpdateEpoch(epoch)
    this.batches.push({ lastSeq, lastOffset, offsetDelta, timestamp })
    if (this.batches.length > NUM_BATCHES_TO_RETAIN) this.batches.shift()
    this.lastTimestamp = timestamp
  }

  findDuplicate (epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | undefined {
    if (epoch !== this.producerEpoch) return undefined
    return this.batches.find(b => b.lastSeq === lastSeq && firstSeqOf(b) === firstSeq)
  }
}

/** The producer fields of a batch header. */
export interface ProducerBatch {
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  lastOffsetDelta: number
  maxTimestamp: bigint
  isTransactional: boolean
}

export type ProducerCheck =
  | { kind: 'append' }
  | { kind: 'duplicate', firstOffset: bigint, lastOffset: bigint, timestamp: bigint }
  | { kind: 'error', errorCode: number, message: string }

export interface CompletedTxn { producerId: bigint, firstOffset: bigint, lastOffset: bigint, isAborted: boolean }

export interface EndTxnMarker { producerId: bigint, producerEpoch: number, coordinatorEpoch: number, commit: boolean, timestamp: bigint }

function lastSeqOf (baseSequence: number, delta: number): number {
  const s = baseSequence + delta
  return s > INT32_MAX ? s - INT32_MAX - 1 : s
}

function inSequence (lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX)
}

export class ProducerStateManager {
  readonly producers = new Map<bigint, ProducerStateEntry>()
  /** Ongoing transactions by producer id, in order of first offset (insertion order: offsets only grow). */
  private readonly ongoing = new Map<bigint, bigint>()
  /** The offset up to which batches have been applied. */
  mapEndOffset = 0n

  constructor (readonly producerIdExpirationMs: number = 86_400_000) {}

  /** The first offset of the earliest ongoing transaction, or null when nothing is unstable. */
  firstUnstableOffset (): bigint | null {
    for (const first of this.ongoing.values()) return first
    return null
  }

  ongoingTransactions (): { producerId: bigint, firstOffset: bigint }[] {
    return [...this.ongoing].map(([producerId, firstOffset]) => ({ producerId, firstOffset }))
  }

  /**
   * Validates a client's data batch against the producer's state (Kafka's analyzeAndValidateProducerState
   * followed by ProducerAppendInfo.appendDataBatch's checks), without changing anything.
   */
  check (b: ProducerBatch, offsetForMessages: bigint): ProducerCheck {
    if (b.producerId < 0n) return { kind: 'append' }
    const entry = this.producers.get(b.producerId)
    const lastSeq = lastSeqOf(b.baseSequence, b.lastOffsetDelta)
    if (entry !== undefined) {
      const dup = entry.findDuplicate(b.producerEpoch, b.baseSequence, lastSeq)
      if (dup !== undefined) return { kind: 'duplicate', firstOffset: dup.lastOffset - BigInt(dup.offsetDelta), lastOffset: dup.lastOffset, timestamp: dup.timestamp }
    }
    const current = entry?.producerEpoch ?? NO_PRODUCER_EPOCH
    if (b.producerEpoch < current) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `Epoch of producer ${b.producerId} at offset ${offsetForMessages} is ${b.producerEpoch}, which is smaller than the last seen epoch ${current}` }
    }
    if (entry !== undefined && b.producerEpoch !== current) {
      if (b.baseSequence !== 0 && current !== NO_PRODUCER_EPOCH) {
        return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `Invalid sequence number for new epoch of producer ${b.producerId} at offset ${offsetForMessages}: ${b.producerEpoch} (request epoch), ${b.baseSequence} (seq. number), ${current} (current producer epoch)` }
      }
    } else if (entry !== undefined && current !== NO_PRODUCER_EPOCH) {
      const currentLastSeq = entry.lastSeq
      // A producer whose batches are all gone (markers only) has no sequence to follow.
      if (currentLastSeq !== NO_SEQUENCE && !inSequence(currentLastSeq, b.baseSequence)) {
        return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message: `Out of order sequence number for producer ${b.producerId} at offset ${offsetForMessages}: ${b.baseSequence} (incoming seq. number), ${currentLastSeq} (current end sequence number)` }
      }
    }
    if (entry !== undefined && entry.currentTxnFirstOffset >= 0n && !b.isTransactional) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_TXN_STATE, message: `Expected transactional write from producer ${b.producerId} at offset ${offsetForMessages}` }
    }
    return { kind: 'append' }
  }

  /** Records a data batch written at [firstOffset, firstOffset + lastOffsetDelta]. */
  applyData (b: ProducerBatch, firstOffset: bigint): void {
    const lastOffset = firstOffset + BigInt(b.lastOffsetDelta)
    if (lastOffset + 1n > this.mapEndOffset) this.mapEndOffset = lastOffset + 1n
    if (b.producerId < 0n) return
    let entry = this.producers.get(b.producerId)
    if (entry === undefined) {
      entry = new ProducerStateEntry(b.producerId, b.producerEpoch, -1, b.maxTimestamp, -1n)
      this.producers.set(b.producerId, entry)
    }
    entry.addBatch(b.producerEpoch, lastSeqOf(b.baseSequence, b.lastOffsetDelta), lastOffset, b.lastOffsetDelta, b.maxTimestamp)
    if (b.isTransactional && entry.currentTxnFirstOffset < 0n) {
      entry.currentTxnFirstOffset = firstOffset
      this.ongoing.set(b.producerId, firstOffset)
    }
  }

  /** Validates a transaction marker (Kafka's appendEndTxnMarker checks); null when it may be written. */
  checkMarker (m: EndTxnMarker): { errorCode: number, message: string } | null {
    const entry = this.producers.get(m.producerId)
    if (entry === undefined) return null
    if (m.producerEpoch < entry.producerEpoch) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `Epoch of producer ${m.producerId} is ${m.producerEpoch}, which is smaller than the last seen epoch ${entry.producerEpoch}` }
    }
    if (entry.coordinatorEpoch > m.coordinatorEpoch) {
      return { errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED, message: `Invalid coordinator epoch for producer ${m.producerId}: ${m.coordinatorEpoch} (zombie), ${entry.coordinatorEpoch} (current)` }
    }
    return null
  }

  /** Records a marker written at `offset`; returns the transaction it completed. */
  applyMarker (m: EndTxnMarker, offset: bigint): CompletedTxn {
    if (offset + 1n > this.mapEndOffset) this.mapEndOffset = offset + 1n
    let entry = this.producers.get(m.producerId)
    if (entry === undefined) {
      entry = new ProducerStateEntry(m.producerId, m.producerEpoch, m.coordinatorEpoch, m.timestamp, -1n)
      this.producers.set(m.producerId, entry)
    }
    const firstOffset = entry.currentTxnFirstOffset >= 0n ? entry.currentTxnFirstOffset : offset
    entry.maybeUpdateEpoch(m.producerEpoch)
    entry.currentTxnFirstOffset = -1n
    entry.coordinatorEpoch = m.coordinatorEpoch
    entry.lastTimestamp = m.timestamp
    this.ongoing.delete(m.producerId)
    return { producerId: m.producerId, firstOffset, lastOffset: offset, isAborted: !m.commit }
  }

  /** Kafka's lastStableOffset(completedTxn): the first offset still undecided once `txn` is complete. */
  lastStableOffsetAfter (txn: CompletedTxn): bigint {
    for (const [pid, first] of this.ongoing) if (pid !== txn.producerId) return first
    return txn.lastOffset + 1n
  }

  /** Drops producers idle for producer.id.expiration.ms that have no ongoing transaction. */
  removeExpired (nowMs: number): number {
    let n = 0
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0n && nowMs - Number(e.lastTimestamp) >= this.producerIdExpirationMs) {
        this.producers.delete(pid)
        n++
      }
    }
    return n
  }

  /** Replaces the state with a snapshot's entries (taken at `offset`). */
  loadEntries (entries: ProducerStateEntry[], offset: bigint, nowMs: number): void {
    this.producers.clear()
    this.ongoing.clear()
    const sorted = entries.filter(e => e.currentTxnFirstOffset >= 0n || nowMs - Number(e.lastTimestamp) < this.producerIdExpirationMs)
    for (const e of sorted) this.producers.set(e.producerId, e)
    for (const e of [...sorted].filter(e => e.currentTxnFirstOffset >= 0n).sort((a, b) => (a.currentTxnFirstOffset < b.currentTxnFirstOffset ? -1 : 1))) {
      this.ongoing.set(e.producerId, e.currentTxnFirstOffset)
    }
    this.mapEndOffset = offset
  }

  /** Forgets everything (a log restarted at `offset`). */
  reset (offset: bigint): void {
    this.producers.clear()
    this.ongoing.clear()
    this.mapEndOffset = offset
  }
}
