// The transaction coordinator (Kafka's TransactionCoordinator + TransactionStateManager +
// TransactionMarkerChannelManager on one node). Each transactional id lives in one __transaction_state
// partition (Utils.abs(id.hashCode()) % transaction.state.log.num.partitions); every state change is
// written there as Kafka's TransactionLogKey/Value record before it takes effect, and the partitions are
// replayed at start-up. A transaction still in PrepareCommit/PrepareAbort after the replay has its
// markers written again and is completed.
//
// Markers go straight to the local partitions (no WriteTxnMarkers RPC on one node) as control batches
// carrying the coordinator epoch (the leader epoch of the id's __transaction_state partition), and the
// transaction is completed (CompleteCommit/CompleteAbort written) once every partition has its marker.
// EndTxn is answered as soon as PrepareCommit/PrepareAbort is durable, as Kafka answers it; requests that
// arrive before completion get CONCURRENT_TRANSACTIONS.
//
// Fencing and timeouts follow Kafka: InitProducerId on an Ongoing transaction bumps the epoch, aborts the
// transaction with the new epoch and answers CONCURRENT_TRANSACTIONS so the client retries (and gets the
// epoch bumped once more); a transaction older than its timeout is aborted the same way by the periodic
// check (transaction.abort.timed.out.transaction.cleanup.interval.ms), which fences its producer.
// Transactional ids idle for transactional.id.expiration.ms in Empty/Complete* are removed (tombstone).
// Transactions v2 (KIP-890 part 2, transaction.version 2): the protocol a request speaks is read from its
// version as Kafka does (EndTxn v5+, AddPartitionsToTxn v4+ — the broker-side add a Produce v12+ or a
// TxnOffsetCommit v5+ makes — are TV2). A TV2 EndTxn bumps the epoch on every commit and abort (a new
// producer id once the epoch is exhausted) and answers it; the markers carry the bumped epoch, so every
// write left over from the finished transaction is fenced by plain epoch comparison at the partition and
// here. A TV2 abort with nothing added (Empty, Complete*) still bumps the epoch. TV1 requests keep the
// classic rules on the same cluster. Gap: no 2PC (KIP-939).
import { ErrorCode } from '../wire/generated/errors.js'
import { encodeMarkerBatch } from '../log/txn-marker.js'
import type { Broker } from '../broker/broker.js'
import type { Partition } from '../broker/partition.js'
import type { Logger } from '../server/logger.js'
import { appendRecords, scanRecords, AppendFailedError } from './coordinator-log.js'
import { KeyedTimer, type Clock } from './clock.js'
import { CoordinatorPartitions } from './coordinator-partitions.js'
import { TransactionMetadata, TxnState, TXN_STATE_NAMES, decodeTransactionRecord, transactionRecord, type TxnStateId } from './transaction-metadata.js'
import type { ProducerIdManager } from './producer-ids.js'

export const TRANSACTION_STATE_TOPIC = '__transaction_state'
const OFFSETS_TOPIC = '__consumer_offsets'
const NO_PRODUCER_ID = -1n
const NO_PRODUCER_EPOCH = -1
const SHORT_MAX = 0x7fff

export interface TransactionCoordinatorConfig {
  numPartitions: number
  replicationFactor: number
  segmentBytes: number
  loadBufferSize: number
  maxTimeoutMs: number
  abortTimedOutIntervalMs: number
  idExpirationMs: number
  idExpirationIntervalMs: number
}

export function transactionConfigFrom (broker: Broker): TransactionCoordinatorConfig {
  const c = broker.config
  return {
    numPartitions: c.int('transaction.state.log.num.partitions'),
    replicationFactor: c.int('transaction.state.log.replication.factor'),
    segmentBytes: c.int('transaction.state.log.segment.bytes'),
    loadBufferSize: c.int('transaction.state.log.load.buffer.size'),
    maxTimeoutMs: c.int('transaction.max.timeout.ms'),
    abortTimedOutIntervalMs: c.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'),
    idExpirationMs: c.int('transactional.id.expiration.ms'),
    idExpirationIntervalMs: c.int('transaction.remove.expired.transaction.cleanup.interval.ms')
  }
}

/** Where transactional offset commits wait for their marker (the group coordinator). */
export interface TxnOffsetsSink {
  completeTransaction: (offsetsPartition: number, producerId: bigint, commit: boolean) => void
}

export interface ProducerIdAndEpoch { errorCode: number, producerId: bigint, producerEpoch: number }
export interface TxnPartition { topic: string, partition: number }

export interface DescribedTransaction {
  transactionalId: string
  errorCode: number
  transactionState: string
  transactionTimeoutMs: number
  transactionStartTimeMs: bigint
  producerId: bigint
  producerEpoch: number
  topics: { topic: string, partitions: number[] }[]
}

export interface ListedTransaction { transactionalId: string, producerId: bigint, transactionState: string }


function failed (errorCode: number): ProducerIdAndEpoch {
  return { errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH }
}

function copyOf (m: TransactionMetadata): TransactionMetadata {
  const c = new TransactionMetadata(m.transactionalId, m.producerId, m.previousProducerId, m.nextProducerId, m.producerEpoch, m.lastProducerEpoch,
    m.timeoutMs, m.state, m.startTimestamp, m.lastUpdateTimestamp, m.clientTransactionVersion)
  for (const [t, s] of m.partitions) c.partitions.set(t, new Set(s))
  return c
}

export class TransactionCoordinator {
  readonly txns = new Map<string, TransactionMetadata>()
  /** The state a transaction is being moved to while its record is written. */
  private readonly pendingState = new Map<string, TxnStateId>()
  private readonly partitions: CoordinatorPartitions
  private readonly timer: KeyedTimer
  private readonly inflight = new Set<Promise<unknown>>()
  private closed = false
  private readonly log: Logger
  offsetsSink: TxnOffsetsSink | undefined

  constructor (private readonly broker: Broker, readonly config: TransactionCoordinatorConfig, private readonly clock: Clock, private readonly producerIds: ProducerIdManager) {
    this.timer = new KeyedTimer(clock)
    this.log = broker.log.child({ component: 'transaction-coordinator' })
    this.partitions = new CoordinatorPartitions(broker, {
      name: TRANSACTION_STATE_TOPIC,
      numPartitions: config.numPartitions,
      replicationFactor: config.replicationFactor,
      configs: {
        'cleanup.policy': 'compact',
        'min.insync.replicas': '1',
        'segment.bytes': String(config.segmentBytes),
        'unclean.leader.election.enable': 'false',
        'compression.type': 'uncompressed'
      },
      keys: 'transactional ids'
    }, async (p, i) => await this.loadPartition(p, i), () => this.closed, this.log)
  }

  // ---------------------------------------------------------------- ownership and loading

  numPartitions (): number { return this.partitions.numPartitions() }

  partitionFor (transactionalId: string): number { return this.partitions.partitionFor(transactionalId) }

  private statePartition (transactionalId: string): Partition | undefined {
    return this.broker.partition(TRANSACTION_STATE_TOPIC, this.partitionFor(transactionalId))
  }

  /** The coordinator epoch: the leader epoch of the id's __transaction_state partition. */
  coordinatorEpoch (transactionalId: string): number {
    return this.statePartition(transactionalId)?.leaderEpoch ?? 0
  }

  /** Kafka's error for a transactional id this coordinator cannot serve now, or null. */
  availability (transactionalId: string): number | null { return this.partitions.availability(transactionalId) }

  /** Loads an existing __transaction_state (broker start) and starts the periodic checks. */
  startLoading (): Promise<void> {
    const loading = this.partitions.startLoading()
    this.scheduleChecks()
    return loading
  }

  whenLoaded (): Promise<void> { return this.partitions.whenLoaded() }

  /** Creates __transaction_state on first use (FindCoordinator for a transactional id). */
  ensureTopic (): Promise<void> { return this.partitions.ensureTopic() }

  /** Reads one __transaction_state partition back; once it is loaded, transactions caught mid-completion finish. */
  private async loadPartition (p: Partition, i: number): Promise<() => void> {
    const loaded = new Map<string, TransactionMetadata | null>()
    await scanRecords(p, this.config.loadBufferSize, (key, value) => {
      if (key === null) return
      try {
        const r = decodeTransactionRecord(key, value)
        loaded.set(r.transactionalId, r.metadata)
      } catch (err) {
        this.log.warn({ err: (err as Error).message, partition: i }, 'skipping undecodable __transaction_state record')
      }
    })
    for (const [id, m] of loaded) {
      if (m === null) this.txns.delete(id)
      else this.txns.set(id, m)
    }
    return () => {
      // Transactions caught between Prepare* and Complete* get their markers (again) and complete.
      for (const m of loaded.values()) {
        if (m !== null && (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort)) this.track(this.writeMarkersAndComplete(m))
      }
      if (loaded.size > 0) this.log.info({ partition: i, transactionalIds: loaded.size }, 'loaded transaction metadata')
    }
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.timer.cancelAll()
    await this.partitions.whenLoaded()
    await Promise.allSettled([...this.inflight])
  }

  private track (p: Promise<unknown>): void {
    this.inflight.add(p)
    void p.finally(() => this.inflight.delete(p))
  }

  // ---------------------------------------------------------------- persistence

  /**
   * Writes `next` (a modified copy of the id's metadata) and installs it once durable; resolves to an
   * error code. While the write is in flight the id counts as being in transition.
   */
  private async transition (next: TransactionMetadata): Promise<number> {
    const id = next.transactionalId
    const p = this.statePartition(id)
    if (p === undefined) return ErrorCode.NOT_COORDINATOR
    this.pendingState.set(id, next.state)
    const write = appendRecords(p, [transactionRecord(id, next.state === TxnState.Dead ? null : next)])
    this.track(write.catch(() => {}))
    try {
      await write
    } catch (err) {
      this.log.warn({ err, transactionalId: id }, 'failed to write transaction state')
      return coordinatorWriteError(err)
    } finally {
      this.pendingState.delete(id)
    }
    if (next.state === TxnState.Dead) this.txns.delete(id)
    else this.txns.set(id, next)
    return ErrorCode.NONE
  }

  private inTransition (id: string): boolean { return this.pendingState.has(id) }

  // ---------------------------------------------------------------- InitProducerId

  /** handleInitProducerId: a fresh id for idempotent producers; epoch bump or fencing for transactional ones. */
  async initProducerId (transactionalId: string | null, timeoutMs: number, expected: { producerId: bigint, producerEpoch: number } | null): Promise<ProducerIdAndEpoch> {
    if (transactionalId === null) {
      try {
        return { errorCode: ErrorCode.NONE, producerId: await this.producerIds.generate(), producerEpoch: 0 }
      } catch (err) {
        this.log.error({ err }, 'producer id allocation failed')
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
      }
    }
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST)
    if (timeoutMs <= 0 || timeoutMs > this.config.maxTimeoutMs) return failed(ErrorCode.INVALID_TRANSACTION_TIMEOUT)
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return failed(unavailable)
    let m = this.txns.get(transactionalId)
    if (m === undefined) {
      let pid: bigint
      try {
        pid = await this.producerIds.generate()
      } catch (err) {
        this.log.error({ err }, 'producer id allocation failed')
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
      }
      // Another request may have created it while the id was being allocated.
      m = this.txns.get(transactionalId)
      if (m === undefined) {
        const now = this.clock.now()
        m = new TransactionMetadata(transactionalId, pid, NO_PRODUCER_ID, NO_PRODUCER_ID, NO_PRODUCER_EPOCH, NO_PRODUCER_EPOCH, timeoutMs, TxnState.Empty, -1, now)
        this.txns.set(transactionalId, m)
      }
    }
    if (this.inTransition(transactionalId)) return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
    if (expected !== null && !(m.producerEpoch === NO_PRODUCER_EPOCH || expected.producerId === m.producerId ||
      (expected.producerId === m.previousProducerId && TransactionMetadata.isEpochExhausted(expected.producerEpoch)))) {
      return failed(ErrorCode.PRODUCER_FENCED)
    }
    const now = this.clock.now()
    switch (m.state) {
      case TxnState.PrepareAbort:
      case TxnState.PrepareCommit:
        return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
      case TxnState.Ongoing: {
        // Fence the current producer: abort its transaction under a bumped epoch, and have this one retry.
        const code = await this.fenceAndAbort(m)
        return failed(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code)
      }
      case TxnState.Empty:
      case TxnState.CompleteAbort:
      case TxnState.CompleteCommit: {
        const next = copyOf(m)
        next.state = TxnState.Empty
        next.partitions.clear()
        next.timeoutMs = timeoutMs
        next.startTimestamp = -1
        next.lastUpdateTimestamp = now
        if (m.isEpochExhausted && (expected === null || expected.producerEpoch === m.producerEpoch)) {
          let pid: bigint
          try {
            pid = await this.producerIds.generate()
          } catch {
            return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
          }
          next.previousProducerId = expected !== null ? m.producerId : NO_PRODUCER_ID
          next.producerId = pid
          next.producerEpoch = 0
          next.lastProducerEpoch = NO_PRODUCER_EPOCH
        } else if (expected === null) {
          next.producerEpoch = m.producerEpoch + 1
          next.lastProducerEpoch = NO_PRODUCER_EPOCH
        } else if (m.producerEpoch === NO_PRODUCER_EPOCH || expected.producerEpoch === m.producerEpoch) {
          next.producerEpoch = m.producerEpoch + 1
          next.lastProducerEpoch = m.producerEpoch
        } else if (expected.producerEpoch === m.lastProducerEpoch) {
          // A retry of a bump whose answer was lost: answer the same epoch again.
        } else {
          return failed(ErrorCode.PRODUCER_FENCED)
        }
        if (this.inTransition(transactionalId)) return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
        const code = await this.transition(next)
        if (code !== ErrorCode.NONE) return failed(code)
        return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch }
      }
      default:
        this.log.error({ transactionalId, state: TXN_STATE_NAMES[m.state] }, 'transactional id in an impossible state')
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
    }
  }

  /** Kafka's prepareFenceProducerEpoch followed by an abort with the bumped epoch (not from the client). */
  private async fenceAndAbort (m: TransactionMetadata): Promise<number> {
    const next = copyOf(m)
    if (!m.isEpochExhausted) next.producerEpoch = m.producerEpoch + 1
    next.lastProducerEpoch = NO_PRODUCER_EPOCH
    // A TV2 abort bumps once more on top of the fence, as prepareAbortOrCommit does for TV2 metadata.
    if (m.clientTransactionVersion >= 2 && next.producerEpoch < SHORT_MAX) {
      next.lastProducerEpoch = next.producerEpoch
      next.producerEpoch++
    }
    return await this.prepareEnd(next, false)
  }

  /** Writes PrepareCommit/PrepareAbort for `next` (already carrying its epoch), then completes it in the background. */
  private async prepareEnd (next: TransactionMetadata, commit: boolean): Promise<number> {
    next.state = commit ? TxnState.PrepareCommit : TxnState.PrepareAbort
    next.lastUpdateTimestamp = this.clock.now()
    const code = await this.transition(next)
    if (code !== ErrorCode.NONE) return code
    this.track(this.writeMarkersAndComplete(next))
    return ErrorCode.NONE
  }

  // ---------------------------------------------------------------- markers

  /** TransactionMarkerChannelManager on one node: a marker to every partition, then Complete*. */
  private async writeMarkersAndComplete (m: TransactionMetadata): Promise<void> {
    const commit = m.state === TxnState.PrepareCommit
    const coordinatorEpoch = this.coordinatorEpoch(m.transactionalId)
    const marker = await encodeMarkerBatch({ producerId: m.producerId, producerEpoch: m.producerEpoch, coordinatorEpoch, commit }, BigInt(this.clock.now()))
    for (const { topic, partition } of m.partitionList()) {
      const p = this.broker.partition(topic, partition)
      // A deleted topic needs no marker, as Kafka drops markers for partitions that are gone.
      if (p === undefined) continue
      const r = await p.append(Buffer.from(marker), undefined)
      if ('errorCode' in r) {
        this.log.warn({ transactionalId: m.transactionalId, topic, partition, errorCode: r.errorCode, err: r.message }, 'transaction marker refused')
        continue
      }
      if (topic === OFFSETS_TOPIC) this.offsetsSink?.completeTransaction(partition, m.producerId, commit)
    }
    if (this.closed) return
    const current = this.txns.get(m.transactionalId)
    if (current === undefined || current.producerId !== m.producerId || current.producerEpoch !== m.producerEpoch || current.state !== m.state) return
    const done = copyOf(current)
    done.state = commit ? TxnState.CompleteCommit : TxnState.CompleteAbort
    done.partitions.clear()
    if (done.nextProducerId >= 0n) {
      done.previousProducerId = done.producerId
      done.producerId = done.nextProducerId
      done.nextProducerId = NO_PRODUCER_ID
      done.producerEpoch = 0
      done.lastProducerEpoch = NO_PRODUCER_EPOCH
    }
    done.lastUpdateTimestamp = this.clock.now()
    const code = await this.transition(done)
    if (code !== ErrorCode.NONE) this.log.warn({ transactionalId: m.transactionalId, errorCode: code }, 'could not complete transaction; it completes at the next load')
  }

  // ---------------------------------------------------------------- AddPartitionsToTxn / AddOffsetsToTxn

  /** The checks AddPartitionsToTxn and its verify-only form share; null when the producer may proceed. */
  private checkProducer (transactionalId: string, producerId: bigint, producerEpoch: number): { code: number } | { m: TransactionMetadata } {
    if (transactionalId === '') return { code: ErrorCode.INVALID_REQUEST }
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return { code: unavailable }
    const m = this.txns.get(transactionalId)
    if (m === undefined) return { code: ErrorCode.INVALID_PRODUCER_ID_MAPPING }
    if (m.producerId !== producerId) return { code: ErrorCode.INVALID_PRODUCER_ID_MAPPING }
    if (m.producerEpoch !== producerEpoch) return { code: ErrorCode.PRODUCER_FENCED }
    if (this.inTransition(transactionalId)) return { code: ErrorCode.CONCURRENT_TRANSACTIONS }
    if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort) return { code: ErrorCode.CONCURRENT_TRANSACTIONS }
    return { m }
  }

  /** handleAddPartitionsToTransaction: one error code for all the partitions. */
  async addPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TxnPartition[], clientTransactionVersion = 0): Promise<number> {
    const c = this.checkProducer(transactionalId, producerId, producerEpoch)
    if ('code' in c) return c.code
    const m = c.m
    if (m.state === TxnState.Ongoing && partitions.every(p => m.hasPartition(p.topic, p.partition))) return ErrorCode.NONE
    const next = copyOf(m)
    next.clientTransactionVersion = clientTransactionVersion
    const now = this.clock.now()
    if (m.state !== TxnState.Ongoing) {
      next.startTimestamp = now
      next.partitions.clear()
    }
    next.state = TxnState.Ongoing
    next.lastUpdateTimestamp = now
    next.addPartitions(partitions)
    return await this.transition(next)
  }

  /** The verify-only form (AddPartitionsToTxn v4+ VerifyOnly): per partition, is it in the transaction. */
  verifyPartitions (transactionalId: string, producerId: bigint, producerEpoch: number, partitions: TxnPartition[]): number[] {
    const c = this.checkProducer(transactionalId, producerId, producerEpoch)
    if ('code' in c) return partitions.map(() => c.code)
    return partitions.map(p => c.m.state === TxnState.Ongoing && c.m.hasPartition(p.topic, p.partition) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE)
  }

  /** AddOffsetsToTxn: adds the group's __consumer_offsets partition to the transaction. */
  async addOffsets (transactionalId: string, producerId: bigint, producerEpoch: number, groupId: string): Promise<number> {
    return await this.addPartitions(transactionalId, producerId, producerEpoch, [{ topic: OFFSETS_TOPIC, partition: this.broker.groups.partitionFor(groupId) }])
  }

  /**
   * Produce-path verification at offset assignment: a transactional write is accepted only while its
   * partition is part of the producer's ongoing transaction and no commit or abort has begun (KIP-890's
   * defence against writes that arrive after the transaction ended). Returns an error code or NONE.
   */
  verifyWrite (transactionalId: string | null, producerId: bigint, producerEpoch: number, topic: string, partition: number): number {
    if (transactionalId === null || transactionalId === '') return ErrorCode.INVALID_TXN_STATE
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return unavailable
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (m.producerEpoch !== producerEpoch) return ErrorCode.PRODUCER_FENCED
    const pending = this.pendingState.get(transactionalId)
    if (pending === TxnState.PrepareCommit || pending === TxnState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS
    if (m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS
    if (m.state !== TxnState.Ongoing || !m.hasPartition(topic, partition)) return ErrorCode.INVALID_TXN_STATE
    return ErrorCode.NONE
  }

  // ---------------------------------------------------------------- EndTxn

  /**
   * handleEndTransaction from a client. TV2 (EndTxn v5+) answers the producer id and epoch the producer
   * must use next; TV1 answers -1/-1.
   */
  async endTxn (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean, clientTransactionVersion = 0): Promise<ProducerIdAndEpoch> {
    if (clientTransactionVersion >= 2) return await this.endTxnV2(transactionalId, producerId, producerEpoch, commit)
    return failed(await this.endTxnV1(transactionalId, producerId, producerEpoch, commit))
  }

  private async endTxnV1 (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<number> {
    if (transactionalId === '') return ErrorCode.INVALID_REQUEST
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return unavailable
    const m = this.txns.get(transactionalId)
    if (m === undefined || m.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING
    if (producerEpoch !== m.producerEpoch) return ErrorCode.PRODUCER_FENCED
    if (this.inTransition(transactionalId)) return ErrorCode.CONCURRENT_TRANSACTIONS
    switch (m.state) {
      case TxnState.Ongoing:
        return await this.prepareEnd(copyOf(m), commit)
      case TxnState.CompleteCommit:
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE
      case TxnState.CompleteAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE
      case TxnState.PrepareCommit:
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE
      case TxnState.PrepareAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS
      case TxnState.Empty:
        return ErrorCode.INVALID_TXN_STATE
      default:
        return ErrorCode.UNKNOWN_SERVER_ERROR
    }
  }

  /**
   * Kafka's endTransaction for TV2: a retry is recognised by the epoch one below the current one (the
   * bump already happened) or by the previous producer id after an overflow; the same epoch on a
   * completed transaction is the next transaction's EndTxn, and an abort there is an empty transaction.
   */
  private async endTxnV2 (transactionalId: string, producerId: bigint, producerEpoch: number, commit: boolean): Promise<ProducerIdAndEpoch> {
    if (transactionalId === '') return failed(ErrorCode.INVALID_REQUEST)
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return failed(unavailable)
    const m = this.txns.get(transactionalId)
    if (m === undefined) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    const retryOnOverflow = m.previousProducerId === producerId && producerEpoch === SHORT_MAX - 1 && m.producerEpoch === 0
    const retryOnEpochBump = m.producerId === producerId && m.producerEpoch === producerEpoch + 1
    const isRetry = retryOnEpochBump || retryOnOverflow
    if (m.producerId !== producerId && !retryOnOverflow) return failed(ErrorCode.INVALID_PRODUCER_ID_MAPPING)
    let validEpoch: boolean
    switch (m.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        validEpoch = retryOnEpochBump
        break
      case TxnState.CompleteCommit:
      case TxnState.CompleteAbort:
        validEpoch = isRetry || producerEpoch === m.producerEpoch
        break
      default:
        validEpoch = producerEpoch === m.producerEpoch
    }
    if (!validEpoch) return failed(ErrorCode.PRODUCER_FENCED)
    if (this.inTransition(transactionalId)) return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
    const current: ProducerIdAndEpoch = { errorCode: ErrorCode.NONE, producerId: m.producerId, producerEpoch: m.producerEpoch }
    switch (m.state) {
      case TxnState.Ongoing:
        return await this.prepareEndV2(m, commit, false)
      case TxnState.CompleteCommit:
        if (commit) return isRetry ? current : failed(ErrorCode.INVALID_TXN_STATE)
        return isRetry ? failed(ErrorCode.INVALID_TXN_STATE) : await this.prepareEndV2(m, false, true)
      case TxnState.CompleteAbort:
        if (!commit) return isRetry ? current : await this.prepareEndV2(m, false, true)
        return failed(ErrorCode.INVALID_TXN_STATE)
      // Both answer CONCURRENT_TRANSACTIONS in TV2: the retry of either result waits for completion.
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
        return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
      case TxnState.Empty:
        return commit ? failed(ErrorCode.INVALID_TXN_STATE) : await this.prepareEndV2(m, false, true)
      default:
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
    }
  }

  /** prepareAbortOrCommit with the TV2 epoch bump (and the next producer id once the epoch is exhausted). */
  private async prepareEndV2 (m: TransactionMetadata, commit: boolean, noPartitionAdded: boolean): Promise<ProducerIdAndEpoch> {
    const next = copyOf(m)
    next.clientTransactionVersion = 2
    if (m.isEpochExhausted) {
      try {
        next.nextProducerId = await this.producerIds.generate()
      } catch (err) {
        this.log.error({ err }, 'producer id allocation failed')
        return failed(ErrorCode.UNKNOWN_SERVER_ERROR)
      }
      if (this.inTransition(m.transactionalId) || this.txns.get(m.transactionalId) !== m) return failed(ErrorCode.CONCURRENT_TRANSACTIONS)
    } else {
      next.nextProducerId = NO_PRODUCER_ID
    }
    next.producerEpoch = m.producerEpoch + 1
    next.lastProducerEpoch = m.producerEpoch
    if (noPartitionAdded) {
      next.partitions.clear()
      next.startTimestamp = this.clock.now()
    }
    const code = await this.prepareEnd(next, commit)
    if (code !== ErrorCode.NONE) return failed(code)
    // The producer continues with what the completed transaction leaves: a new id after an overflow.
    if (next.nextProducerId >= 0n) return { errorCode: ErrorCode.NONE, producerId: next.nextProducerId, producerEpoch: 0 }
    return { errorCode: ErrorCode.NONE, producerId: next.producerId, producerEpoch: next.producerEpoch }
  }

  // ---------------------------------------------------------------- periodic checks

  private scheduleChecks (): void {
    this.scheduleAbortCheck()
    this.scheduleExpiry()
  }

  private scheduleAbortCheck (): void {
    if (this.closed) return
    this.timer.schedule('abort-timed-out', this.config.abortTimedOutIntervalMs, () => {
      void this.abortTimedOut().finally(() => { this.scheduleAbortCheck() })
    })
  }

  private scheduleExpiry (): void {
    if (this.closed) return
    this.timer.schedule('expire-ids', this.config.idExpirationIntervalMs, () => {
      void this.expireTransactionalIds().finally(() => { this.scheduleExpiry() })
    })
  }

  /** abortTimedOutTransactions: Ongoing transactions older than their timeout are fenced and aborted. */
  async abortTimedOut (): Promise<number> {
    const now = this.clock.now()
    let n = 0
    for (const m of [...this.txns.values()]) {
      if (m.state !== TxnState.Ongoing || this.inTransition(m.transactionalId)) continue
      if (this.availability(m.transactionalId) !== null) continue
      if (m.startTimestamp + m.timeoutMs >= now) continue
      this.log.info({ transactionalId: m.transactionalId, producerId: m.producerId.toString(), epoch: m.producerEpoch }, 'aborting timed out transaction')
      if (await this.fenceAndAbort(m) === ErrorCode.NONE) n++
    }
    return n
  }

  /** Removes transactional ids idle for transactional.id.expiration.ms (TransactionStateManager). */
  async expireTransactionalIds (): Promise<number> {
    const now = this.clock.now()
    let n = 0
    for (const m of [...this.txns.values()]) {
      const idle = m.state === TxnState.Empty || m.state === TxnState.CompleteAbort || m.state === TxnState.CompleteCommit
      if (!idle || this.inTransition(m.transactionalId) || now - m.lastUpdateTimestamp < this.config.idExpirationMs) continue
      if (this.availability(m.transactionalId) !== null) continue
      const dead = copyOf(m)
      dead.state = TxnState.Dead
      if (await this.transition(dead) === ErrorCode.NONE) n++
    }
    return n
  }

  // ---------------------------------------------------------------- admin

  describe (transactionalId: string): DescribedTransaction {
    const none = (errorCode: number): DescribedTransaction => ({ transactionalId, errorCode, transactionState: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1n, producerId: -1n, producerEpoch: -1, topics: [] })
    const unavailable = this.availability(transactionalId)
    if (unavailable !== null) return none(unavailable)
    const m = this.txns.get(transactionalId)
    if (m === undefined) return none(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
    return {
      transactionalId,
      errorCode: ErrorCode.NONE,
      transactionState: TXN_STATE_NAMES[m.state]!,
      transactionTimeoutMs: m.timeoutMs,
      transactionStartTimeMs: BigInt(m.startTimestamp),
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      topics: [...m.partitions].map(([topic, set]) => ({ topic, partitions: [...set].sort((a, b) => a - b) }))
    }
  }

  /** ListTransactions: ids matching every given filter; states by Kafka's names, durationFilter in ms (-1 off). */
  list (states: string[], producerIds: bigint[], durationFilterMs: bigint): ListedTransaction[] {
    const now = this.clock.now()
    const out: ListedTransaction[] = []
    for (const m of this.txns.values()) {
      if (!this.partitions.owns(m.transactionalId)) continue
      const state = TXN_STATE_NAMES[m.state]!
      if (states.length > 0 && !states.includes(state)) continue
      if (producerIds.length > 0 && !producerIds.includes(m.producerId)) continue
      // Kafka measures the duration from the transaction's start; ids not in a transaction never match.
      if (durationFilterMs >= 0n && (m.state !== TxnState.Ongoing || BigInt(now - m.startTimestamp) < durationFilterMs)) continue
      out.push({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: state })
    }
    return out
  }

  /** Partitions of __transaction_state still loading (ListTransactions reports COORDINATOR_LOAD_IN_PROGRESS). */
  get isLoading (): boolean { return this.partitions.isLoading }
}

function coordinatorWriteError (err: unknown): number {
  const code = err instanceof AppendFailedError ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR
    default:
      return ErrorCode.UNKNOWN_SERVER_ERROR
  }
}
