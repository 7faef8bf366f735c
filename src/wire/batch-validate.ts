// Produce-path validation of one partition's records field, in the order Apache Kafka 4.x applies
// its checks, with its error codes:
//   1. ProduceRequest.validateRecords (KafkaApis, v3+): walks the batches the way
//      ByteBufferLogInputStream does — a batchLength below 14 (the v0 record overhead) or a magic
//      outside 0..2 is CORRUPT_MESSAGE; no complete batch, a magic other than 2, or a second complete
//      batch is INVALID_RECORD; zstd before Produce v7 is UNSUPPORTED_COMPRESSION_TYPE. Bytes after the
//      one batch that do not form a complete batch are not an error: Kafka trims them (validBytes).
//   2. UnifiedLog.analyzeAndValidateRecords: baseOffset must be 0 (INVALID_RECORD), size ≤
//      max.message.bytes (MESSAGE_TOO_LARGE), a batch shorter than its header or with a wrong CRC is
//      CORRUPT_MESSAGE, and an undefined codec id is an IllegalArgumentException there
//      (UNKNOWN_SERVER_ERROR).
//   3. LogValidator.validateBatch: lastOffsetDelta/recordsCount consistency, no control batches from
//      clients, a producer id needs a sequence (all INVALID_RECORD).
// Then Kafka's LogValidator iterates every record (decompressing if needed) to check structure, keys
// of compacted topics and timestamps, and rewrites maxTimestamp from the records: that is
// validateRecordsDeep, which is asynchronous because it may decompress.
// Kafka 4.x never answers UNSUPPORTED_FOR_MESSAGE_FORMAT here: v0/v1 batches are refused in step 1.
import { BatchView, BATCH_HEADER_SIZE, LOG_OVERHEAD, MAGIC } from './record-batch.js'
import { DecodeError } from './decode-error.js'
import { decodeRecords, type TimestampType } from './records.js'
import { decompress, CompressionError, DEFAULT_MAX_DECOMPRESSED_BYTES } from './compression/index.js'
import { ErrorCode } from './generated/errors.js'

const { UNKNOWN_SERVER_ERROR, CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_TIMESTAMP, UNSUPPORTED_COMPRESSION_TYPE, INVALID_RECORD } = ErrorCode

/** LegacyRecord.RECORD_OVERHEAD_V0: the smallest batchLength ByteBufferLogInputStream accepts. */
const MIN_BATCH_LENGTH = 14
const HEADER_SIZE_UP_TO_MAGIC = MAGIC + 1
const CURRENT_MAGIC = 2

export interface ValidatedBatch {
  at: number
  size: number
  recordsCount: number
  lastOffsetDelta: number
  compression: number
  producerId: bigint
  producerEpoch: number
  baseSequence: number
  isTransactional: boolean
  maxTimestamp: bigint
}

export type ValidationResult =
  | { ok: true, batches: ValidatedBatch[], totalRecords: number, /** bytes to append; anything after is trimmed as Kafka does */ validBytes: number }
  | { ok: false, errorCode: number, message: string }

export interface ValidateOptions {
  /** The topic's max.message.bytes. */
  maxMessageBytes: number
  /** Produce request version; zstd needs v7+. Defaults to the newest. */
  apiVersion?: number
}

function fail (errorCode: number, message: string): { ok: false, errorCode: number, message: string } {
  return { ok: false, errorCode, message }
}

type NextBatch = { size: number } | { none: true } | { corrupt: string }

/** ByteBufferLogInputStream.nextBatchSize + nextBatch: the next complete batch at `at`, if any. */
function nextBatch (buf: Buffer, at: number): NextBatch {
  const remaining = buf.length - at
  if (remaining < LOG_OVERHEAD) return { none: true }
  const length = buf.readInt32BE(at + 8)
  if (length < MIN_BATCH_LENGTH) return { corrupt: `Record size ${length} is less than the minimum record overhead (${MIN_BATCH_LENGTH})` }
  if (remaining < HEADER_SIZE_UP_TO_MAGIC) return { none: true }
  const magic = buf.readInt8(at + MAGIC)
  if (magic < 0 || magic > CURRENT_MAGIC) return { corrupt: `Invalid magic found in record: ${magic}` }
  const size = length + LOG_OVERHEAD
  if (remaining < size) return { none: true }
  return { size }
}

/** Header-only validation of one partition's records, as Produce runs it before appending. */
export function validateRecords (records: Buffer, opts: ValidateOptions): ValidationResult {
  const version = opts.apiVersion ?? Number.MAX_SAFE_INTEGER
  const first = nextBatch(records, 0)
  if ('corrupt' in first) return fail(CORRUPT_MESSAGE, first.corrupt)
  if ('none' in first) return fail(INVALID_RECORD, `Produce requests with version ${version} must have at least one record batch per partition`)
  const v = new BatchView(records, 0)
  if (v.magic !== CURRENT_MAGIC) return fail(INVALID_RECORD, `Produce requests with version ${version} are only allowed to contain record batches with magic version 2`)
  // Kafka reads the codec here only for versions before 7 (where an undefined id escapes as an
  // IllegalArgumentException); the v2 header is known to be present only once size ≥ 61, so guard.
  if (version < 7 && first.size >= BATCH_HEADER_SIZE) {
    const codec = v.compression
    if (codec > 4) return fail(UNKNOWN_SERVER_ERROR, `Unknown compression type id: ${codec}`)
    if (codec === 4) return fail(UNSUPPORTED_COMPRESSION_TYPE, `Produce requests with version ${version} are not allowed to use ZStandard compression`)
  }
  const second = nextBatch(records, first.size)
  if ('corrupt' in second) return fail(CORRUPT_MESSAGE, second.corrupt)
  if ('size' in second) return fail(INVALID_RECORD, `Produce requests with version ${version} are only allowed to contain exactly one record batch per partition`)

  if (first.size < BATCH_HEADER_SIZE) return fail(CORRUPT_MESSAGE, `Record batch is ${first.size} bytes, smaller than the ${BATCH_HEADER_SIZE}-byte v2 header`)
  if (v.baseOffset !== 0n) return fail(INVALID_RECORD, `The baseOffset of the record batch in the append should be 0, but it is ${v.baseOffset}`)
  if (first.size > opts.maxMessageBytes) {
    return fail(MESSAGE_TOO_LARGE, `The record batch size in the append is ${first.size} bytes which exceeds the maximum configured value of ${opts.maxMessageBytes}.`)
  }
  if (!v.isCrcValid()) return fail(CORRUPT_MESSAGE, `Record is corrupt (stored crc = ${v.crc}) in topic partition.`)
  const codec = v.compression
  if (codec > 4) return fail(UNKNOWN_SERVER_ERROR, `Unknown compression type id: ${codec}`)

  const countFromOffsets = v.lastOffsetDelta + 1
  const count = v.recordsCount
  if (countFromOffsets <= 0) return fail(INVALID_RECORD, `Batch has an invalid offset range: [${v.baseOffset}, ${v.lastOffset}]`)
  if (count <= 0) return fail(INVALID_RECORD, `Invalid reported count for record batch: ${count}`)
  if (countFromOffsets !== count) return fail(INVALID_RECORD, `Inconsistent batch offset range [${v.baseOffset}, ${v.lastOffset}] and count of records ${count}`)
  if (v.isControl) return fail(INVALID_RECORD, 'Clients are not allowed to write control records')
  if (v.producerId > -1n && v.baseSequence < 0) return fail(INVALID_RECORD, `Invalid sequence number ${v.baseSequence} in record batch with producerId ${v.producerId}`)

  const batch: ValidatedBatch = {
    at: 0,
    size: first.size,
    recordsCount: count,
    lastOffsetDelta: v.lastOffsetDelta,
    compression: codec,
    producerId: v.producerId,
    producerEpoch: v.producerEpoch,
    baseSequence: v.baseSequence,
    isTransactional: v.isTransactional,
    maxTimestamp: v.maxTimestamp
  }
  return { ok: true, batches: [batch], totalRecords: count, validBytes: first.size }
}

export interface DeepValidateOptions {
  /** The topic's message.timestamp.type. */
  timestampType: TimestampType
  nowMs: bigint
  /** message.timestamp.before.max.ms / message.timestamp.after.max.ms. */
  timestampBeforeMaxMs: bigint
  timestampAfterMaxMs: bigint
  /** cleanup.policy includes compact: every record needs a key. */
  compacted: boolean
  maxDecompressedBytes?: number
}

/** ProduceResponse's per-record error (batch_index, batch_index_error_message). */
export interface RecordError { batchIndex: number, message: string }

export type DeepValidationResult =
  | {
    ok: true
    /** The largest record timestamp (-1 if none): Kafka rewrites the header's maxTimestamp with it. */
    maxTimestamp: bigint
    /** offsetDelta of the record holding maxTimestamp (-1 if none). */
    offsetDeltaOfMaxTimestamp: number
    /**
     * Compressed batch whose records' offsetDeltas are not 0..n-1: Kafka then rebuilds (and
     * recompresses) the batch with fresh offsets instead of keeping the producer's bytes.
     */
    needsRebuild: boolean
  }
  | { ok: false, errorCode: number, message: string, recordErrors: RecordError[] }

/**
 * The record-level half of Kafka's LogValidator for one batch that passed validateRecords:
 * decompresses, checks the record structure and count, compacted-topic keys and timestamps.
 */
export async function validateRecordsDeep (batchBytes: Buffer, opts: DeepValidateOptions): Promise<DeepValidationResult> {
  const v = new BatchView(batchBytes, 0)
  const codec = v.compression
  const payload = batchBytes.subarray(BATCH_HEADER_SIZE, v.size)
  let body: Buffer
  try {
    body = codec === 0 ? payload : await decompress(codec, payload, opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES)
  } catch (err) {
    if (!(err instanceof CompressionError)) throw err
    // A stream that ends early is an EOFException in Kafka's iterator (INVALID_RECORD); other codec
    // failures surface as KafkaException("Failed to decompress record stream"). Kafka 4.3 has no
    // decompressed-size cap; trunk's max.decompressed.message.bytes refuses with INVALID_RECORD.
    if (err.reason === 'truncated') return { ok: false, errorCode: INVALID_RECORD, message: 'Incorrect declared batch size, premature EOF reached', recordErrors: [] }
    if (err.reason === 'too-large') return { ok: false, errorCode: INVALID_RECORD, message: err.message, recordErrors: [] }
    return { ok: false, errorCode: UNKNOWN_SERVER_ERROR, message: `Failed to decompress record stream: ${err.message}`, recordErrors: [] }
  }
  const logAppend = v.isLogAppendTime
  let records
  try {
    records = decodeRecords(body, v.recordsCount, 0n, v.baseTimestamp, logAppend ? v.maxTimestamp : null)
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err
    return { ok: false, errorCode: INVALID_RECORD, message: err.message, recordErrors: [] }
  }

  const errors: RecordError[] = []
  let invalidTimestamp = false
  let maxTimestamp = -1n
  let offsetDeltaOfMax = -1
  let needsRebuild = false
  for (let i = 0; i < records.length; i++) {
    const rec = records[i]!
    const delta = Number(rec.offset)
    if (codec !== 0 && delta !== i) needsRebuild = true
    if (opts.compacted && rec.key === null) {
      errors.push({ batchIndex: i, message: 'Compacted topic cannot accept message without key in topic partition' })
      continue
    }
    if (opts.timestampType === 'CreateTime' && rec.timestamp !== -1n) {
      const diff = opts.nowMs - rec.timestamp
      if (diff > opts.timestampBeforeMaxMs || -diff > opts.timestampAfterMaxMs) {
        invalidTimestamp = true
        errors.push({
          batchIndex: i,
          message: `Timestamp ${rec.timestamp} of message with offset ${delta} is out of range. The timestamp should be within [${opts.nowMs - opts.timestampBeforeMaxMs}, ${opts.nowMs + opts.timestampAfterMaxMs}]`
        })
        continue
      }
    } else if (logAppend) {
      invalidTimestamp = true
      errors.push({ batchIndex: i, message: 'Invalid timestamp type in message. Producer should not set timestamp type to LogAppendTime.' })
      continue
    }
    if (rec.timestamp > maxTimestamp) {
      maxTimestamp = rec.timestamp
      offsetDeltaOfMax = delta
    }
  }
  if (errors.length > 0) {
    if (invalidTimestamp) return { ok: false, errorCode: INVALID_TIMESTAMP, message: 'One or more records have been rejected due to invalid timestamp', recordErrors: errors }
    const shown = errors.slice(0, 3).map(e => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`).join(', ')
    return {
      ok: false,
      errorCode: INVALID_RECORD,
      message: `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`,
      recordErrors: errors
    }
  }
  return { ok: true, maxTimestamp, offsetDeltaOfMaxTimestamp: offsetDeltaOfMax, needsRebuild }
}
