// Typed failures of the partition log; handlers map them to Kafka error codes
// (OFFSET_OUT_OF_RANGE, CORRUPT_MESSAGE, KAFKA_STORAGE_ERROR).

export class OffsetOutOfRangeError extends Error {
  override name = 'OffsetOutOfRangeError'
  constructor (readonly offset: bigint, readonly logStartOffset: bigint, readonly logEndOffset: bigint) {
    super(`offset ${offset} is outside the log range [${logStartOffset}, ${logEndOffset}]`)
  }
}

/** The bytes handed to append are not a well-formed sequence of v2 batches. */
export class InvalidBatchError extends Error {
  override name = 'InvalidBatchError'
  constructor (message: string, readonly position?: number) {
    super(position === undefined ? message : `${message} at byte ${position}`)
  }
}

/** Segment bytes that passed recovery no longer parse: the file changed under us. */
export class CorruptLogError extends Error {
  override name = 'CorruptLogError'
  constructor (message: string, readonly file: string, readonly position: number) {
    super(`${message} in ${file} at byte ${position}`)
  }
}

/**
 * A write to this log failed part way. Offsets were already handed out to later appends, so the log
 * refuses further appends rather than leave a hole (Kafka takes the log dir offline in this case).
 */
export class LogStorageError extends Error {
  override name = 'LogStorageError'
  constructor (message: string, override readonly cause?: unknown) {
    super(message)
  }
}

export class LogClosedError extends Error {
  override name = 'LogClosedError'
  constructor (readonly dir: string) {
    super(`partition log ${dir} is closed`)
  }
}
