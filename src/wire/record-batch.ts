// Record batch v2 (magic 2) header: fixed 61 bytes, read and patched in place without decoding records.
// Layout: docs/implementation/message-format.md of Apache Kafka.
import { crc32c } from './crc32c.js'

export const BASE_OFFSET = 0
export const BATCH_LENGTH = 8
export const PARTITION_LEADER_EPOCH = 12
export const MAGIC = 16
export const CRC = 17
export const ATTRIBUTES = 21
export const LAST_OFFSET_DELTA = 23
export const BASE_TIMESTAMP = 27
export const MAX_TIMESTAMP = 35
export const PRODUCER_ID = 43
export const PRODUCER_EPOCH = 51
export const BASE_SEQUENCE = 53
export const RECORDS_COUNT = 57
export const BATCH_HEADER_SIZE = 61
/** batchLength counts the bytes after itself: a batch occupies batchLength + LOG_OVERHEAD bytes. */
export const LOG_OVERHEAD = 12

export const enum Compression { None = 0, Gzip = 1, Snappy = 2, Lz4 = 3, Zstd = 4 }
export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_MASK = 0x10
export const CONTROL_MASK = 0x20
export const DELETE_HORIZON_MASK = 0x40

/** A view of one batch's header inside a larger buffer. It never copies. */
export class BatchView {
  constructor (readonly buf: Buffer, readonly at = 0) {}

  get baseOffset (): bigint { return this.buf.readBigInt64BE(this.at + BASE_OFFSET) }
  set baseOffset (v: bigint) { this.buf.writeBigInt64BE(v, this.at + BASE_OFFSET) }
  get batchLength (): number { return this.buf.readInt32BE(this.at + BATCH_LENGTH) }
  /** Bytes the whole batch occupies. */
  get size (): number { return this.batchLength + LOG_OVERHEAD }
  get partitionLeaderEpoch (): number { return this.buf.readInt32BE(this.at + PARTITION_LEADER_EPOCH) }
  set partitionLeaderEpoch (v: number) { this.buf.writeInt32BE(v, this.at + PARTITION_LEADER_EPOCH) }
  get magic (): number { return this.buf.readInt8(this.at + MAGIC) }
  get crc (): number { return this.buf.readUInt32BE(this.at + CRC) }
  get attributes (): number { return this.buf.readInt16BE(this.at + ATTRIBUTES) }
  get compression (): number { return this.attributes & COMPRESSION_MASK }
  get isLogAppendTime (): boolean { return (this.attributes & TIMESTAMP_TYPE_MASK) !== 0 }
  get isTransactional (): boolean { return (this.attributes & TRANSACTIONAL_MASK) !== 0 }
  get isControl (): boolean { return (this.attributes & CONTROL_MASK) !== 0 }
  get lastOffsetDelta (): number { return this.buf.readInt32BE(this.at + LAST_OFFSET_DELTA) }
  get lastOffset (): bigint { return this.baseOffset + BigInt(this.lastOffsetDelta) }
  get baseTimestamp (): bigint { return this.buf.readBigInt64BE(this.at + BASE_TIMESTAMP) }
  get maxTimestamp (): bigint { return this.buf.readBigInt64BE(this.at + MAX_TIMESTAMP) }
  get producerId (): bigint { return this.buf.readBigInt64BE(this.at + PRODUCER_ID) }
  get producerEpoch (): number { return this.buf.readInt16BE(this.at + PRODUCER_EPOCH) }
  get baseSequence (): number { return this.buf.readInt32BE(this.at + BASE_SEQUENCE) }
  get recordsCount (): number { return this.buf.readInt32BE(this.at + RECORDS_COUNT) }

  /** CRC-32C over attributes..end, as stored. */
  computeCrc (): number {
    return crc32c(this.buf.subarray(this.at + ATTRIBUTES, this.at + this.size))
  }

  isCrcValid (): boolean { return this.computeCrc() === this.crc }

  /**
   * Marks the batch LogAppendTime with the broker's time and rewrites the CRC (the attributes and
   * maxTimestamp are covered by it, unlike baseOffset and partitionLeaderEpoch).
   */
  /** Rewrites maxTimestamp (covered by the CRC, so the CRC is rewritten too), as Kafka's validator does. */
  setMaxTimestamp (ts: bigint): void {
    this.buf.writeBigInt64BE(ts, this.at + MAX_TIMESTAMP)
    this.buf.writeUInt32BE(this.computeCrc(), this.at + CRC)
  }

  setLogAppendTime (nowMs: bigint): void {
    this.buf.writeInt16BE(this.attributes | TIMESTAMP_TYPE_MASK, this.at + ATTRIBUTES)
    this.buf.writeBigInt64BE(nowMs, this.at + MAX_TIMESTAMP)
    this.buf.writeUInt32BE(this.computeCrc(), this.at + CRC)
  }
}
