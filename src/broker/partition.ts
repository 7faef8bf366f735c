// A partition this broker leads: its log plus the offsets Kafka reports for it. With a single replica the
// high watermark is the log end offset as soon as an append is written.
import type { PartitionLog, AppendResult } from '../log/partition-log.js'

/** What an append's preparation step may answer instead of bytes to append: a Kafka error. */
export interface AppendRejection { errorCode: number, message: string, recordErrors?: { batchIndex: number, message: string }[] }

export class Partition {
  private readonly waiters = new Set<() => void>()
  /** Appends whose preparation is asynchronous queue here, so offsets follow request order. */
  private chain: Promise<unknown> = Promise.resolve()
  private queued = 0

  constructor (
    readonly topic: string,
    readonly topicId: string,
    readonly index: number,
    readonly log: PartitionLog,
    public leaderEpoch: number
  ) {}

  get highWatermark (): bigint { return this.log.logEndOffset }
  /** No transactions yet, so nothing is unstable. */
  get lastStableOffset (): bigint { return this.log.logEndOffset }
  get logStartOffset (): bigint { return this.log.logStartOffset }

  /**
   * Appends one validated batch. `prepare`, when given, runs first (deep validation, recompression) and
   * may replace the bytes or reject them; appends are still assigned offsets in call order. Without
   * `prepare` and with nothing queued, offsets are assigned synchronously.
   */
  append (batch: Buffer, logAppendTimeMs: bigint | undefined, prepare?: () => Promise<Buffer | AppendRejection>): Promise<AppendResult | AppendRejection> {
    if (prepare === undefined && this.queued === 0) return this.write(batch, logAppendTimeMs)
    this.queued++
    // The chain waits only for each predecessor's preparation and offset assignment, not for its I/O.
    const step = this.chain.then(async (): Promise<{ done: Promise<AppendResult | AppendRejection> }> => {
      const prepared = prepare === undefined ? batch : await prepare()
      if (!Buffer.isBuffer(prepared)) return { done: Promise.resolve(prepared) }
      return { done: this.write(prepared, logAppendTimeMs) }
    }).finally(() => { this.queued-- })
    this.chain = step.catch(() => {})
    return step.then(s => s.done)
  }

  private async write (batch: Buffer, logAppendTimeMs: bigint | undefined): Promise<AppendResult> {
    const pending = this.log.append(batch, { leaderEpoch: this.leaderEpoch, logAppendTimeMs })
    const result = await pending
    this.wake()
    return result
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
