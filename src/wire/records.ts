// Decoding and encoding of the records inside a v2 record batch. The hot produce/fetch path never
// comes here (batches stay opaque bytes); this is for the places the broker must look inside:
// compaction, topic-level recompression, deep produce validation, coordinators, tooling.
import { BatchView, BATCH_HEADER_SIZE, LOG_OVERHEAD, ATTRIBUTES, CRC, COMPRESSION_MASK, TIMESTAMP_TYPE_MASK, TRANSACTIONAL_MASK, CONTROL_MASK } from './record-batch.js'
import { crc32c } from './crc32c.js'
import { DecodeError } from './decode-error.js'
import { Reader } from './reader.js'
import { Writer } from './writer.js'
import { compress, decompress, DEFAULT_MAX_DECOMPRESSED_BYTES } from './compression/index.js'

export interface Header { key: string, value: Buffer | null }

export interface Record {
  offset: bigint
  timestamp: bigint
  key: Buffer | null
  value: Buffer | null
  headers: Header[]
  attributes: number
}

export type TimestampType = 'CreateTime' | 'LogAppendTime'

export interface DecodedBatch {
  baseOffset: bigint
  partitionLeaderEpoch: number
  attributes: number
  compression: number
  isTransactional: boolean
  isControl: boolean
  timestampType: TimestampType
  lastOffsetDelta: number
  baseTimestamp: bigint
  maxTimestamp: bigint
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  records: Record[]
}

export interface DecodeOptions {
  /** Cap on the decompressed size of the records (decompression-bomb guard). */
  maxDecompressedBytes?: number
}

/** Smallest possible encoded record: seven one-byte varints/fields. */
const MIN_RECORD_SIZE = 7

/**
 * Decodes the records region (already decompressed) of a batch. Keys, values and header values are
 * views into `body`, not copies. Structural faults raise DecodeError with the message Kafka's
 * DefaultRecord/RecordIterator would use.
 */
export function decodeRecords (body: Buffer, count: number, baseOffset: bigint, baseTimestamp: bigint, logAppendTime: bigint | null): Record[] {
  if (count < 0) throw new DecodeError(`invalid record count ${count}`)
  // Fewer bytes than `count` minimal records is the same premature end, found before allocating.
  if (count > body.length / MIN_RECORD_SIZE) throw new DecodeError('Incorrect declared batch size, premature EOF reached')
  const r = new Reader(body)
  const out: Record[] = new Array(count)
  for (let i = 0; i < count; i++) {
    if (r.remaining === 0) throw new DecodeError('Incorrect declared batch size, premature EOF reached', r.offset)
    const start = r.offset
    const size = r.varint()
    if (size < 0 || size > r.remaining) {
      throw new DecodeError(`Invalid record size: expected ${size} bytes in record payload, but instead the buffer has only ${r.remaining} remaining bytes.`, start)
    }
    const end = r.offset + size
    const rr = new Reader(body, r.offset, end)
    const attributes = rr.int8()
    const timestampDelta = rr.varlong()
    const offsetDelta = rr.varint()
    const key = lengthPrefixed(rr, 'key')
    const value = lengthPrefixed(rr, 'value')
    const headerCount = rr.varint()
    if (headerCount < 0) throw new DecodeError(`Found invalid number of record headers ${headerCount}`, rr.offset)
    if (headerCount > rr.remaining) throw new DecodeError(`header count ${headerCount} cannot fit in the record`, rr.offset)
    const headers: Header[] = new Array(headerCount)
    for (let h = 0; h < headerCount; h++) {
      const keySize = rr.varint()
      if (keySize < 0) throw new DecodeError(`Invalid negative header key size ${keySize}`, rr.offset)
      const headerKey = rr.raw(keySize).toString('utf8')
      headers[h] = { key: headerKey, value: lengthPrefixed(rr, 'header value') }
    }
    if (rr.offset !== end) throw new DecodeError(`Invalid record size: expected to read ${size} bytes in record payload, but instead read ${rr.offset - (end - size)}`, start)
    r.offset = end
    out[i] = {
      offset: baseOffset + BigInt(offsetDelta),
      timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
      key,
      value,
      headers,
      attributes
    }
  }
  if (r.remaining !== 0) throw new DecodeError('Incorrect declared batch size, records still remaining in file', r.offset)
  return out
}

function lengthPrefixed (r: Reader, what: string): Buffer | null {
  const at = r.offset
  const n = r.varint()
  if (n === -1) return null
  if (n < -1) throw new DecodeError(`invalid ${what} length ${n}`, at)
  return r.raw(n)
}

/** Decodes exactly one batch occupying all of `buf`: checks magic (before the CRC, which it locates) then CRC. */
export async function decodeBatch (buf: Buffer, opts: DecodeOptions = {}): Promise<DecodedBatch> {
  if (buf.length < BATCH_HEADER_SIZE) throw new DecodeError(`record batch needs ${BATCH_HEADER_SIZE} bytes, have ${buf.length}`)
  const v = new BatchView(buf)
  if (v.magic !== 2) throw new DecodeError(`unsupported record batch magic ${v.magic}`, 16)
  if (v.batchLength < BATCH_HEADER_SIZE - LOG_OVERHEAD) throw new DecodeError(`batch length ${v.batchLength} is smaller than the v2 header`, 8)
  if (v.size !== buf.length) throw new DecodeError(`batch length says ${v.size} bytes, buffer holds ${buf.length}`, 8)
  if (!v.isCrcValid()) throw new DecodeError(`Record is corrupt (stored crc = ${v.crc}, computed crc = ${v.computeCrc()})`, CRC)
  const compression = v.compression
  const payload = buf.subarray(BATCH_HEADER_SIZE)
  const body = compression === 0 ? payload : await decompress(compression, payload, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  const logAppend = v.isLogAppendTime
  return {
    baseOffset: v.baseOffset,
    partitionLeaderEpoch: v.partitionLeaderEpoch,
    attributes: v.attributes,
    compression,
    isTransactional: v.isTransactional,
    isControl: v.isControl,
    timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
    lastOffsetDelta: v.lastOffsetDelta,
    baseTimestamp: v.baseTimestamp,
    maxTimestamp: v.maxTimestamp,
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    baseSequence: v.baseSequence,
    records: decodeRecords(body, v.recordsCount, v.baseOffset, v.baseTimestamp, logAppend ? v.maxTimestamp : null)
  }
}

/**
 * Decodes concatenated batches (a records field, a segment slice). A trailing partial batch is
 * ignored, as consumers ignore a fetch response cut at max bytes.
 */
export async function decodeBatches (buf: Buffer, opts: DecodeOptions = {}): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = []
  let at = 0
  while (buf.length - at >= LOG_OVERHEAD) {
    const size = buf.readInt32BE(at + 8) + LOG_OVERHEAD
    if (size < BATCH_HEADER_SIZE) throw new DecodeError(`batch length ${size - LOG_OVERHEAD} is smaller than the v2 header`, at + 8)
    if (at + size > buf.length) break
    out.push(await decodeBatch(buf.subarray(at, at + size), opts))
    at += size
  }
  return out
}

export interface RecordInput {
  key?: Buffer | null
  value?: Buffer | null
  headers?: Header[]
  timestamp?: bigint
  /** Defaults to the record's index; set it to keep offset gaps (compaction). */
  offsetDelta?: number
}

export interface BatchInput {
  records: RecordInput[]
  compression?: number
  baseOffset?: bigint
  producerId?: bigint
  producerEpoch?: number
  baseSequence?: number
  isTransactional?: boolean
  isControl?: boolean
  partitionLeaderEpoch?: number
  timestampType?: TimestampType
  /** Defaults to the first record's timestamp, as producers do. */
  baseTimestamp?: bigint
  /** Defaults to the largest record timestamp (CreateTime) or baseTimestamp (LogAppendTime). */
  maxTimestamp?: bigint
  /** Defaults to the last record's offsetDelta; compaction keeps the original when it drops the tail. */
  lastOffsetDelta?: number
}

function encodeRecord (w: Writer, r: RecordInput, offsetDelta: number, timestampDelta: bigint): void {
  const body = new Writer(64)
  body.int8(0).varlong(timestampDelta).varint(offsetDelta)
  writeNullable(body, r.key ?? null)
  writeNullable(body, r.value ?? null)
  const headers = r.headers ?? []
  body.varint(headers.length)
  for (const h of headers) {
    const k = Buffer.from(h.key, 'utf8')
    body.varint(k.length).raw(k)
    writeNullable(body, h.value)
  }
  w.varint(body.length)
  for (const chunk of body.toChunks()) w.raw(chunk)
}

function writeNullable (w: Writer, b: Buffer | null): void {
  if (b === null) w.varint(-1)
  else w.varint(b.length).raw(b)
}

/** Builds a complete v2 batch with its CRC, lastOffsetDelta and maxTimestamp filled in. */
export async function encodeBatch (input: BatchInput): Promise<Buffer> {
  const records = input.records
  const timestampType = input.timestampType ?? 'CreateTime'
  const now = BigInt(Date.now())
  const baseTimestamp = input.baseTimestamp ?? records[0]?.timestamp ?? now
  const body = new Writer(256)
  let maxTimestamp = -1n
  let lastDelta = -1
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    const delta = r.offsetDelta ?? i
    if (!Number.isInteger(delta) || delta <= lastDelta || delta > 0x7fffffff) throw new RangeError(`record ${i}: offsetDelta ${delta} must be an int32 greater than the previous one`)
    lastDelta = delta
    const ts = r.timestamp ?? baseTimestamp
    if (ts > maxTimestamp) maxTimestamp = ts
    encodeRecord(body, r, delta, ts - baseTimestamp)
  }
  const lastOffsetDelta = input.lastOffsetDelta ?? lastDelta
  if (lastOffsetDelta < lastDelta) throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offsetDelta ${lastDelta}`)
  if (timestampType === 'LogAppendTime') maxTimestamp = baseTimestamp
  if (input.maxTimestamp !== undefined) maxTimestamp = input.maxTimestamp
  const codec = input.compression ?? 0
  const raw = body.toBuffer()
  const payload = codec === 0 ? raw : await compress(codec, raw)

  let attributes = codec & COMPRESSION_MASK
  if (timestampType === 'LogAppendTime') attributes |= TIMESTAMP_TYPE_MASK
  if (input.isTransactional === true) attributes |= TRANSACTIONAL_MASK
  if (input.isControl === true) attributes |= CONTROL_MASK

  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length)
  out.writeBigInt64BE(input.baseOffset ?? 0n, 0)
  out.writeInt32BE(BATCH_HEADER_SIZE - LOG_OVERHEAD + payload.length, 8)
  out.writeInt32BE(input.partitionLeaderEpoch ?? -1, 12)
  out.writeInt8(2, 16)
  out.writeInt16BE(attributes, ATTRIBUTES)
  out.writeInt32BE(lastOffsetDelta, 23)
  out.writeBigInt64BE(baseTimestamp, 27)
  out.writeBigInt64BE(maxTimestamp, 35)
  out.writeBigInt64BE(input.producerId ?? -1n, 43)
  out.writeInt16BE(input.producerEpoch ?? -1, 51)
  out.writeInt32BE(input.baseSequence ?? -1, 53)
  out.writeInt32BE(records.length, 57)
  payload.copy(out, BATCH_HEADER_SIZE)
  out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES)), CRC)
  return out
}
