// A transactional id's state as Kafka's TransactionMetadata keeps it, and its record in
// __transaction_state: key int16 version 0 + TransactionLogKey, value int16 version + TransactionLogValue
// (v1, the flexible version Kafka 4.x writes), a null value being the tombstone of an expired id.
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { encodeTransactionLogKey, decodeTransactionLogKey } from '../wire/generated/coordinator-records/transaction-log-key.js'
import { encodeTransactionLogValue, decodeTransactionLogValue } from '../wire/generated/coordinator-records/transaction-log-value.js'
import type { CoordinatorRecord } from './records.js'

/** TransactionState ids as Kafka writes them. */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7
} as const
export type TxnStateId = typeof TxnState[keyof typeof TxnState]

export const TXN_STATE_NAMES: Record<number, string> = {
  0: 'Empty', 1: 'Ongoing', 2: 'PrepareCommit', 3: 'PrepareAbort', 4: 'CompleteCommit', 5: 'CompleteAbort', 6: 'Dead', 7: 'PrepareEpochFence'
}

export const TXN_KEY_VERSION = 0
export const TXN_VALUE_VERSION = 1
const SHORT_MAX = 0x7fff

export class TransactionMetadata {
  /** topic -> partitions in the ongoing transaction */
  partitions = new Map<string, Set<number>>()
  /** Set while a state change is being written: other requests get CONCURRENT_TRANSACTIONS. */
  pending = false

  constructor (
    readonly transactionalId: string,
    public producerId: bigint,
    public previousProducerId: bigint,
    public nextProducerId: bigint,
    public producerEpoch: number,
    public lastProducerEpoch: number,
    public timeoutMs: number,
    public state: TxnStateId,
    public startTimestamp: number,
    public lastUpdateTimestamp: number,
    public clientTransactionVersion = 0
  ) {}

  /** Kafka's isEpochExhausted: one epoch is kept in reserve for fencing. */
  static isEpochExhausted (epoch: number): boolean { return epoch >= SHORT_MAX - 1 }
  get isEpochExhausted (): boolean { return TransactionMetadata.isEpochExhausted(this.producerEpoch) }

  hasPartition (topic: string, partition: number): boolean { return this.partitions.get(topic)?.has(partition) ?? false }

  addPartitions (list: { topic: string, partition: number }[]): void {
    for (const { topic, partition } of list) {
      let set = this.partitions.get(topic)
      if (set === undefined) this.partitions.set(topic, set = new Set())
      set.add(partition)
    }
  }

  partitionList (): { topic: string, partition: number }[] {
    const out: { topic: string, partition: number }[] = []
    for (const [topic, set] of this.partitions) for (const partition of set) out.push({ topic, partition })
    return out
  }

  /** The record to write for the state as it is now. */
  toRecord (): CoordinatorRecord {
    return transactionRecord(this.transactionalId, this)
  }
}

export function transactionKey (transactionalId: string): Buffer {
  const k = new Writer(32).int16(TXN_KEY_VERSION)
  encodeTransactionLogKey(k, TXN_KEY_VERSION, { transactionalId })
  return k.toBuffer()
}

export function transactionRecord (transactionalId: string, m: TransactionMetadata | null): CoordinatorRecord {
  const key = transactionKey(transactionalId)
  if (m === null) return { key, value: null }
  const v = new Writer(128).int16(TXN_VALUE_VERSION)
  // Kafka writes no partitions for Empty and Complete* states: the transaction they name is over.
  const withPartitions = m.state === TxnState.Ongoing || m.state === TxnState.PrepareCommit || m.state === TxnState.PrepareAbort
  encodeTransactionLogValue(v, TXN_VALUE_VERSION, {
    producerId: m.producerId,
    previousProducerId: m.previousProducerId,
    nextProducerId: m.nextProducerId,
    producerEpoch: m.producerEpoch,
    nextProducerEpoch: -1,
    transactionTimeoutMs: m.timeoutMs,
    transactionStatus: m.state,
    transactionPartitions: withPartitions ? [...m.partitions].map(([topic, set]) => ({ topic, partitionIds: [...set] })) : [],
    transactionLastUpdateTimestampMs: BigInt(m.lastUpdateTimestamp),
    transactionStartTimestampMs: BigInt(m.startTimestamp),
    clientTransactionVersion: m.clientTransactionVersion
  })
  return { key, value: v.toBuffer() }
}

/** Decodes one __transaction_state record; null metadata is a tombstone. Throws DecodeError. */
export function decodeTransactionRecord (key: Buffer, value: Buffer | null): { transactionalId: string, metadata: TransactionMetadata | null } {
  const kr = new Reader(key)
  const kv = kr.int16()
  const { transactionalId } = decodeTransactionLogKey(kr, kv)
  if (value === null) return { transactionalId, metadata: null }
  const vr = new Reader(value)
  const d = decodeTransactionLogValue(vr, vr.int16())
  const m = new TransactionMetadata(transactionalId, d.producerId, d.previousProducerId, d.nextProducerId, d.producerEpoch, -1, d.transactionTimeoutMs,
    d.transactionStatus as TxnStateId, Number(d.transactionStartTimestampMs), Number(d.transactionLastUpdateTimestampMs), d.clientTransactionVersion)
  for (const p of d.transactionPartitions ?? []) for (const i of p.partitionIds) m.addPartitions([{ topic: p.topic, partition: i }])
  return { transactionalId, metadata: m }
}
