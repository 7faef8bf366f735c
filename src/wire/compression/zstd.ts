// zstd through @mongodb-js/zstd 1.2.2, whose decompress streams the input, so it decodes frames with
// and without a content size (Java and librdkafka omit it; kafka-python and sarama write it) and
// concatenated frames. It has no output cap, so the frame and block headers are walked first to
// bound the output without decoding.
import { lazyNative } from './lazy-native.js'
import { CompressionError, tooLarge } from './errors.js'

const native = lazyNative<{
  compress: (data: Buffer, level?: number) => Promise<Buffer>
  decompress: (data: Buffer) => Promise<Buffer>
}>('@mongodb-js/zstd')

const CODEC = 4
const FRAME_MAGIC = 0xfd2fb528
const BLOCK_SIZE_MAX = 128 * 1024
/** Kafka's default compression.zstd.level. */
const DEFAULT_LEVEL = 3

function truncated (what: string): CompressionError {
  return new CompressionError(CODEC, 'truncated', `zstd data ends inside ${what}`)
}

function corrupt (what: string): CompressionError {
  return new CompressionError(CODEC, 'corrupt', `invalid zstd data: ${what}`)
}

/** Upper bound on the decoded size of all frames in `data` (skippable frames decode to nothing). */
export function zstdBound (data: Buffer): number {
  let at = 0
  let total = 0
  if (data.length === 0) throw truncated('the first frame header')
  while (at < data.length) {
    if (at + 4 > data.length) throw truncated('a frame magic')
    const magic = data.readUInt32LE(at)
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      if (at + 8 > data.length) throw truncated('a skippable frame')
      const n = data.readUInt32LE(at + 4)
      if (at + 8 + n > data.length) throw truncated('a skippable frame')
      at += 8 + n
      continue
    }
    if (magic !== FRAME_MAGIC) throw corrupt('bad frame magic')
    at += 4
    if (at >= data.length) throw truncated('a frame header')
    const fhd = data[at++]!
    if ((fhd & 0x08) !== 0) throw corrupt('reserved frame header bit set')
    const fcsFlag = fhd >> 6
    const singleSegment = (fhd & 0x20) !== 0
    const contentChecksum = (fhd & 0x04) !== 0
    const dictIdSize = [0, 1, 2, 4][fhd & 0x03]!
    const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!
    let windowSize = Number.MAX_SAFE_INTEGER
    if (!singleSegment) {
      if (at >= data.length) throw truncated('a window descriptor')
      const wd = data[at++]!
      const base = 2 ** (10 + (wd >> 3))
      windowSize = base + (base / 8) * (wd & 0x07)
    }
    at += dictIdSize
    let contentSize = -1
    if (fcsSize > 0) {
      if (at + fcsSize > data.length) throw truncated('a frame content size')
      if (fcsSize === 1) contentSize = data[at]!
      else if (fcsSize === 2) contentSize = data.readUInt16LE(at) + 256
      else if (fcsSize === 4) contentSize = data.readUInt32LE(at)
      else {
        const v = data.readBigUInt64LE(at)
        contentSize = v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v)
      }
      at += fcsSize
      if (singleSegment) windowSize = contentSize
    }
    const blockMax = Math.min(windowSize, BLOCK_SIZE_MAX)
    let frameBound = 0
    for (;;) {
      if (at + 3 > data.length) throw truncated('a block header')
      const header = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16)
      at += 3
      const last = (header & 1) !== 0
      const type = (header >> 1) & 3
      const size = header >>> 3
      if (type === 3) throw corrupt('reserved block type')
      if (type !== 2 && size > blockMax) throw corrupt(`block of ${size} bytes exceeds the ${blockMax}-byte maximum`)
      const stored = type === 1 ? 1 : size
      if (at + stored > data.length) throw truncated('a block')
      frameBound += type === 2 ? blockMax : size
      at += stored
      if (last) break
    }
    if (contentChecksum) {
      if (at + 4 > data.length) throw truncated('a content checksum')
      at += 4
    }
    total += contentSize >= 0 ? Math.min(contentSize, frameBound) : frameBound
  }
  return total
}

export async function decompressZstd (data: Buffer, maxOutput: number): Promise<Buffer> {
  const bound = zstdBound(data)
  if (bound > maxOutput) throw tooLarge(CODEC, bound, maxOutput)
  let out: Buffer
  try {
    out = await native().decompress(data)
  } catch (err) {
    throw new CompressionError(CODEC, 'corrupt', `invalid zstd data: ${(err as Error).message}`, { cause: err })
  }
  if (out.length > maxOutput) throw tooLarge(CODEC, out.length, maxOutput)
  return out
}

export async function compressZstd (data: Buffer, level = DEFAULT_LEVEL): Promise<Buffer> {
  return native().compress(data, level)
}
