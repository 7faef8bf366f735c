// Codec dispatch by the record batch's compression id (attributes bits 0–2).
import { CompressionError, DEFAULT_MAX_DECOMPRESSED_BYTES } from './errors.js'
import { compressGzip, decompressGzip } from './gzip.js'
import { compressSnappy, decompressSnappy } from './snappy.js'
import { compressLz4, decompressLz4 } from './lz4.js'
import { compressZstd, decompressZstd } from './zstd.js'

export { CompressionError, DEFAULT_MAX_DECOMPRESSED_BYTES } from './errors.js'
export type { CompressionFailure } from './errors.js'

export const CODEC_NAMES: Readonly<Record<number, string>> = { 0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' }

function unknown (codec: number): CompressionError {
  return new CompressionError(codec, 'unknown-codec', `unknown compression codec id ${codec}`)
}

export async function compress (codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 0: return data
    case 1: return compressGzip(data)
    case 2: return compressSnappy(data)
    case 3: return compressLz4(data)
    case 4: return compressZstd(data)
    default: throw unknown(codec)
  }
}

/** Decompresses `data`; throws CompressionError('too-large') instead of producing more than maxOutput bytes. */
export async function decompress (codec: number, data: Buffer, maxOutput = DEFAULT_MAX_DECOMPRESSED_BYTES): Promise<Buffer> {
  switch (codec) {
    case 0:
      if (data.length > maxOutput) throw new CompressionError(0, 'too-large', `size ${data.length} exceeds the limit of ${maxOutput} bytes`)
      return data
    case 1: return decompressGzip(data, maxOutput)
    case 2: return decompressSnappy(data, maxOutput)
    case 3: return decompressLz4(data, maxOutput)
    case 4: return decompressZstd(data, maxOutput)
    default: throw unknown(codec)
  }
}
