// A partition this broker leads: its log plus the offsets Kafka reports for it. With a single replica the
// high watermark is the log end offset as soon as an append is written.
import type { PartitionLog, AppendResult } from '../log/partition-log.js'
import { BatchView } from '../wire/record-batch.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { DecodeError } from '../wire/decode-error.js'
import { decodeMarker } from '../log/txn-marker.js'
import type { AbortedTxn } from '../log/txn-index.js'

/** What an append's preparation step may answer instead of bytes to append: a Kafka error. */
export interface AppendRejection { errorCode: number, message: string, recordErrors?: { batchIndex: number, message: string }[] }

/** An append's result; `duplicate` when an idempotent producer's retry was answered from its state. */
export type PartitionAppendResult = AppendResult & { duplicate?: boolean }

/**
 * Who writes: a client's batches get the producer-state checks (sequence, epoch, duplicates); a
 * coordinator's (transactional offset commits, markers) are trusted as Kafka trusts AppendOrigin.COORDINATOR.
 * `verify` runs at offset assignment for a transactional batch, so a check against the transaction
 * coordinator and the append are one step (KIP-890's defence against late writes).
 */
export interface AppendOrigin { client: boolean, verify?: (producerId: bigint, producerEpoch: number) => AppendRejection | null }

const COORDINATOR: AppendOrigin = { client: false }

export class Partition {
  private readonly waiters = new Set<() => void>()
  /** Appends whose preparation is asynchronous queue here, so offsets follow request order. */
  private chain: Promise<unknown> = Promise.resolve()
  private queued = 0
  private epoch: number

  constructor (
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    readonly log: PartitionLog,
    leaderEpoch: number
  ) {
    this.epoch = leaderEpoch
    log.assignEpochStartOffset(leaderEpoch)
  }

  get leaderEpoch (): number { return this.epoch }
  /** Becoming leader in a new epoch starts that epoch at the log end, as Kafka's makeLeader does. */
  set leaderEpoch (epoch: number) {
    this.epoch = epoch
    this.log.assignEpochStartOffset(epoch)
  }

  get highWatermark (): bigint { return this.log.logEndOffset }
  /** The first offset of the earliest ongoing transaction, bounded by the high watermark. */
  get lastStableOffset (): bigint {
    const hw = this.log.logEndOffset
    const unstable = this.log.producerState.firstUnstableOffset()
    return unstable !== null && unstable < hw ? unstable : hw
  }
  get logStartOffset (): bigint { return this.log.logStartOffset }

  /**
   * Appends one validated batch. `prepare`, when given, runs first (deep validation, recompression) and
   * may replace the bytes or reject them; appends are still assigned offsets in call order. Without
   * `prepare` and with nothing queued, offsets are assigned synchronously.
   */
  append (batch: Buffer, logAppendTimeMs: bigint | undefined, prepare?: () => Promise<Buffer | AppendRejection>, origin: AppendOrigin = COORDINATOR): Promise<PartitionAppendResult | AppendRejection> {
    if (prepare === undefined && this.queued === 0) return this.write(batch, logAppendTimeMs, origin)
    this.queued++
    // The chain waits only for each predecessor's preparation and offset assignment, not for its I/O.
    const step = this.chain.then(async (): Promise<{ done: Promise<PartitionAppendResult | AppendRejection> }> => {
      const prepared = prepare === undefined ? batch : await prepare()
      if (!Buffer.isBuffer(prepared)) return { done: Promise.resolve(prepared) }
      return { done: this.write(prepared, logAppendTimeMs, origin) }
    }).finally(() => { this.queued-- })
    this.chain = step.catch(() => {})
    return step.then(s => s.done)
  }

  /**
   * Checks the batch against the producer state and hands out its offsets in one synchronous step, so
   * concurrent in-flight batches of one producer are judged in the order they are written.
   */
  private write (batch: Buffer, logAppendTimeMs: bigint | undefined, origin: AppendOrigin): Promise<PartitionAppendResult | AppendRejection> {
    const view = new BatchView(batch)
    const ps = this.log.producerState
    const first = this.log.nextOffset
    let abortedTxn: AbortedTxn | undefined
    let apply: (() => void) | undefined
    if (batch.length >= 61 && view.producerId >= 0n && view.isControl) {
      let m
      try {
        m = decodeMarker(batch)
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err
        return Promise.resolve({ errorCode: ErrorCode.CORRUPT_MESSAGE, message: err.message })
      }
      if (m !== null) {
        const marker = { ...m, timestamp: view.maxTimestamp }
        const bad = ps.checkMarker(marker)
        if (bad !== null) return Promise.resolve(bad)
        const done = ps.applyMarker(marker, first)
        if (done.isAborted) {
          abortedTxn = { producerId: done.producerId, firstOffset: done.firstOffset, lastOffset: done.lastOffset, lastStableOffset: ps.lastStableOffsetAfter(done) }
          this.log.txnIndex.add(abortedTxn)
        }
      }
    } else if (batch.length >= 61) {
      const info = { producerId: view.producerId, producerEpoch: view.producerEpoch, baseSequence: view.baseSequence, lastOffsetDelta: view.lastOffsetDelta, maxTimestamp: view.maxTimestamp, isTransactional: view.isTransactional }
      if (origin.client && info.producerId >= 0n) {
        const check = ps.check(info, first)
        if (check.kind === 'duplicate') {
          return Promise.resolve({ baseOffset: check.firstOffset, lastOffset: check.lastOffset, maxTimestamp: check.timestamp, offsetOfMaxTimestamp: -1n, duplicate: true })
        }
        if (check.kind === 'error') return Promise.resolve({ errorCode: check.errorCode, message: check.message })
        if (info.isTransactional && origin.verify !== undefined) {
          const bad = origin.verify(info.producerId, info.producerEpoch)
          if (bad !== null) return Promise.resolve(bad)
        }
      }
      apply = () => { ps.applyData(info, first) }
    }
    const pending = this.log.append(batch, { leaderEpoch: this.leaderEpoch, logAppendTimeMs, abortedTxn })
    // The log took the batch (offsets handed out) unless it refused it outright.
    if (this.log.nextOffset !== first) apply?.()
    return pending.then(result => {
      this.wake()
      return result
    })
  }

  /** Calls `fn` once, the next time data is appended (or the partition goes away). Returns an unsubscribe. */
  onAppend (fn: () => void): () => void {
    this.waiters.add(fn)
    return () => this.waiters.delete(fn)
  }

  wake (): void {
    if (this.waiters.size === 0) return
    const fns = [...this.waiters]
    this.waiters.clear()
    for (const f of fns) f()
  }
}
