// Snappy in both shapes Kafka clients send: a raw snappy block (librdkafka, kafkajs, sarama,
// @platformatic/kafka) and the xerial snappy-java stream (Java, kafka-python): a 16-byte header
// (magic, version, compat) followed by [int32 length][raw snappy block] chunks. We write xerial, as the
// Java broker does when it recompresses, so Java consumers can read it; librdkafka, kafkajs-snappy,
// sarama and kafka-python detect the header and read it too.
import { lazyNative } from './lazy-native.js'
import { CompressionError, tooLarge } from './errors.js'

const native = lazyNative<{
  compress: (input: Uint8Array) => Promise<Buffer>
  uncompress: (input: Uint8Array, opts: { asBuffer: true }) => Promise<Buffer>
}>('snappy')

const CODEC = 2
export const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
const XERIAL_HEADER_SIZE = 16
/** snappy-java's default block size, which Kafka's producer uses. */
const XERIAL_CHUNK = 32 * 1024

export function isXerial (data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, 8).equals(XERIAL_MAGIC)
}

/** The uncompressed length a raw snappy block declares in its varint preamble. */
function rawLength (block: Buffer): number {
  let result = 0
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw new CompressionError(CODEC, 'truncated', 'snappy block ends inside its length preamble')
    const b = block[i]!
    result += (b & 0x7f) * 2 ** (7 * i)
    if ((b & 0x80) === 0) return result
  }
  throw new CompressionError(CODEC, 'corrupt', 'snappy length preamble longer than 5 bytes')
}

async function uncompressBlock (block: Buffer): Promise<Buffer> {
  try {
    return await native().uncompress(block, { asBuffer: true })
  } catch (err) {
    throw new CompressionError(CODEC, 'corrupt', `invalid snappy block: ${(err as Error).message}`, { cause: err })
  }
}

export async function decompressSnappy (data: Buffer, maxOutput: number): Promise<Buffer> {
  if (!isXerial(data)) {
    const size = rawLength(data)
    if (size > maxOutput) throw tooLarge(CODEC, size, maxOutput)
    return uncompressBlock(data)
  }
  const chunks: Buffer[] = []
  let total = 0
  let at = XERIAL_HEADER_SIZE
  while (at < data.length) {
    if (at + 4 > data.length) throw new CompressionError(CODEC, 'truncated', 'xerial stream ends inside a chunk length')
    const n = data.readInt32BE(at)
    at += 4
    if (n < 0) throw new CompressionError(CODEC, 'corrupt', `negative xerial chunk length ${n}`)
    if (at + n > data.length) throw new CompressionError(CODEC, 'truncated', `xerial chunk of ${n} bytes overruns the stream`)
    if (n > 0) {
      const chunk = data.subarray(at, at + n)
      total += rawLength(chunk)
      if (total > maxOutput) throw tooLarge(CODEC, total, maxOutput)
      chunks.push(chunk)
    }
    at += n
  }
  const parts = await Promise.all(chunks.map(uncompressBlock))
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
}

/** Raw snappy, for tests and benchmarks that mimic librdkafka/kafkajs producers. */
export async function compressSnappyRaw (data: Buffer): Promise<Buffer> {
  return native().compress(data)
}

export async function compressSnappy (data: Buffer): Promise<Buffer> {
  const pieces: Promise<Buffer>[] = []
  for (let at = 0; at < data.length; at += XERIAL_CHUNK) pieces.push(native().compress(data.subarray(at, at + XERIAL_CHUNK)))
  const blocks = await Promise.all(pieces)
  let size = XERIAL_HEADER_SIZE
  for (const b of blocks) size += 4 + b.length
  const out = Buffer.allocUnsafe(size)
  XERIAL_MAGIC.copy(out, 0)
  out.writeInt32BE(1, 8) // stream version
  out.writeInt32BE(1, 12) // oldest reader version that understands it
  let at = XERIAL_HEADER_SIZE
  for (const b of blocks) {
    out.writeInt32BE(b.length, at)
    b.copy(out, at + 4)
    at += 4 + b.length
  }
  return out
}
