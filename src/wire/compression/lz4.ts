// LZ4 frame format (what every Kafka client sends for codec 3) through lz4-napi. Before handing the
// frame to the native decoder we walk its block headers, which bounds the output without decoding:
// that is how the decompression limit is enforced, since lz4-napi has no output cap of its own.
// Variants seen from clients: FLG 0x60 (Java, librdkafka, @platformatic), 0x64 with a content checksum
// and 4 MB blocks (kafkajs, sarama), 0x68 with a content size (kafka-python). Block checksums and
// dependent blocks are legal in the format and are left to the native decoder.
import { lazyNative } from './lazy-native.js'
import { CompressionError, tooLarge } from './errors.js'

const native = lazyNative<{
  compressFrame: (data: Uint8Array) => Promise<Buffer>
  decompressFrame: (data: Uint8Array) => Promise<Buffer>
}>('lz4-napi')

const CODEC = 3
const FRAME_MAGIC = 0x184d2204
const BLOCK_MAX = [0, 0, 0, 0, 64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024]

function truncated (what: string): CompressionError {
  return new CompressionError(CODEC, 'truncated', `LZ4 frame ends inside ${what}`)
}

/**
 * Upper bound on the decoded size of the first LZ4 frame in `data`, and where that frame ends.
 * Only the first frame is read, as Kafka's KafkaLZ4BlockInputStream does.
 */
export function lz4FrameBound (data: Buffer): { bound: number, end: number } {
  if (data.length < 7) throw truncated('its header')
  if (data.readUInt32LE(0) !== FRAME_MAGIC) throw new CompressionError(CODEC, 'corrupt', 'not an LZ4 frame (bad magic)')
  const flg = data[4]!
  const bd = data[5]!
  if ((flg >> 6) !== 1) throw new CompressionError(CODEC, 'corrupt', `unsupported LZ4 frame version ${flg >> 6}`)
  const blockChecksum = (flg & 0x10) !== 0
  const hasContentSize = (flg & 0x08) !== 0
  const contentChecksum = (flg & 0x04) !== 0
  const hasDictId = (flg & 0x01) !== 0
  const blockMax = BLOCK_MAX[(bd >> 4) & 0x07]!
  if (blockMax === 0) throw new CompressionError(CODEC, 'corrupt', `invalid LZ4 block maximum size id ${(bd >> 4) & 7}`)
  let at = 6
  let contentSize = -1
  if (hasContentSize) {
    if (data.length < at + 8) throw truncated('its content size')
    const size = data.readBigUInt64LE(at)
    contentSize = size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size)
    at += 8
  }
  if (hasDictId) at += 4
  at += 1 // header checksum, verified by the decoder
  let bound = 0
  for (;;) {
    if (at + 4 > data.length) throw truncated('a block header')
    const word = data.readUInt32LE(at)
    at += 4
    if (word === 0) break
    const size = word & 0x7fffffff
    const stored = (word & 0x80000000) !== 0
    if (size > blockMax) throw new CompressionError(CODEC, 'corrupt', `LZ4 block of ${size} bytes exceeds the frame's ${blockMax}-byte maximum`)
    if (at + size + (blockChecksum ? 4 : 0) > data.length) throw truncated('a block')
    // A compressed LZ4 block expands at most ~255x (each match-length byte adds at most 255 bytes).
    bound += stored ? size : Math.min(blockMax, size * 255 + 64)
    at += size + (blockChecksum ? 4 : 0)
  }
  if (contentChecksum) {
    if (at + 4 > data.length) throw truncated('its content checksum')
    at += 4
  }
  return { bound: contentSize >= 0 ? Math.min(bound, contentSize) : bound, end: at }
}

export async function decompressLz4 (data: Buffer, maxOutput: number): Promise<Buffer> {
  const { bound, end } = lz4FrameBound(data)
  if (bound > maxOutput) throw tooLarge(CODEC, bound, maxOutput)
  let out: Buffer
  try {
    out = await native().decompressFrame(data.subarray(0, end))
  } catch (err) {
    throw new CompressionError(CODEC, 'corrupt', `invalid LZ4 frame: ${(err as Error).message}`, { cause: err })
  }
  if (out.length > maxOutput) throw tooLarge(CODEC, out.length, maxOutput)
  return out
}

/** Independent blocks, 256 KB maximum, no checksums: readable by KafkaLZ4BlockInputStream and every client. */
export async function compressLz4 (data: Buffer): Promise<Buffer> {
  return native().compressFrame(data)
}
