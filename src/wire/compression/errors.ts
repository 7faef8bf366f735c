// Typed failures of the codec layer. `reason` lets callers map a failure to Kafka's error code:
// Kafka's record iterator turns a premature end of the compressed stream into INVALID_RECORD but
// any other decompression failure into an unclassified KafkaException (UNKNOWN_SERVER_ERROR).

export type CompressionFailure = 'unknown-codec' | 'corrupt' | 'truncated' | 'too-large'

export class CompressionError extends Error {
  override name = 'CompressionError'
  constructor (readonly codec: number, readonly reason: CompressionFailure, message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * Default cap on the bytes one decompression may produce. message.max.bytes (1 MiB by default)
 * bounds the compressed batch, not what it expands to, and legitimate batches compress 10–50x; 64 MiB
 * leaves room for that while keeping a hostile batch from taking the process's memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024

export function tooLarge (codec: number, size: number, max: number): CompressionError {
  return new CompressionError(codec, 'too-large', `decompressed size ${size} exceeds the limit of ${max} bytes`)
}
