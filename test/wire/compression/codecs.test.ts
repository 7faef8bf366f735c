import t from 'tap'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { compress, decompress, CompressionError } from '../../../src/wire/compression/index.js'
import { compressSnappyRaw, XERIAL_MAGIC, isXerial } from '../../../src/wire/compression/snappy.js'
import { zstdBound } from '../../../src/wire/compression/zstd.js'
import { lz4FrameBound } from '../../../src/wire/compression/lz4.js'
import { BATCH_HEADER_SIZE } from '../../../src/wire/record-batch.js'
import { produceFixtures, CODEC_IDS } from './produce-fixtures.js'

const require = createRequire(import.meta.url)
const snappyjs = require('snappyjs') as { compress: (b: Buffer) => Buffer, uncompress: (b: Buffer) => Buffer }
const kafkajsSnappy = (require('kafkajs-snappy') as () => { decompress: (b: Buffer) => Promise<Buffer> })()
const lz4napi = require('lz4-napi') as { compressFrame: (b: Buffer, o?: { contentChecksum?: boolean, blockChecksums?: boolean }) => Promise<Buffer> }

function text (n: number): Buffer {
  const words = ['kafka', 'broker', 'record', 'batch', 'offset', 'topic', 'partition', 'samsa']
  const parts: string[] = []
  let len = 0
  for (let i = 0; len < n; i++) { const w = words[(i * 7) % words.length]! + i % 13 + ' '; parts.push(w); len += w.length }
  return Buffer.from(parts.join('')).subarray(0, n)
}

type Asserts = Pick<typeof t, 'ok' | 'equal' | 'fail'>

async function rejects (t: Asserts, p: Promise<unknown>, reason: string, what: string): Promise<void> {
  try {
    await p
    t.fail(`${what}: expected CompressionError(${reason})`)
  } catch (err) {
    t.ok(err instanceof CompressionError, `${what}: CompressionError`)
    t.equal((err as CompressionError).reason, reason, `${what}: reason`)
  }
}

const INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['one byte', Buffer.from([42])],
  ['text 1 KB', text(1000)],
  ['random 70 KB', randomBytes(70_000)],
  ['text 300 KB (several blocks/chunks)', text(300_000)]
]

t.test('round trips for every codec', async t => {
  for (const codec of [0, 1, 2, 3, 4]) {
    for (const [name, data] of INPUTS) {
      const packed = await compress(codec, data)
      const out = await decompress(codec, packed)
      t.ok(out.equals(data), `codec ${codec}, ${name}`)
    }
  }
})

t.test('snappy is written with xerial framing like the Java client, in 32 KB chunks', async t => {
  const packed = await compress(2, text(100_000))
  t.ok(packed.subarray(0, 8).equals(XERIAL_MAGIC))
  t.equal(packed.readInt32BE(8), 1)
  t.equal(packed.readInt32BE(12), 1)
  let chunks = 0
  for (let at = 16; at < packed.length; at += 4 + packed.readInt32BE(at)) chunks++
  t.equal(chunks, 4)
})

t.test('snappy: reads raw blocks written by snappyjs, and kafkajs-snappy reads what we write', async t => {
  const data = text(50_000)
  t.ok((await decompress(2, snappyjs.compress(data))).equals(data), 'snappyjs raw block')
  t.ok((await decompress(2, await compressSnappyRaw(data))).equals(data), 'native raw block')
  const ours = await compress(2, data)
  t.ok((await kafkajsSnappy.decompress(ours)).equals(data), 'kafkajs-snappy decodes our xerial stream')
  t.notOk(isXerial(snappyjs.compress(data)))
})

t.test('lz4: frames with block checksums and content checksums', async t => {
  const data = text(200_000)
  for (const opts of [{ blockChecksums: true }, { contentChecksum: true }, { blockChecksums: true, contentChecksum: true }]) {
    const frame = await lz4napi.compressFrame(data, opts)
    t.ok((await decompress(3, frame)).equals(data), JSON.stringify(opts))
  }
  const ours = await compress(3, data)
  t.equal(ours[4]! & 0x20, 0x20, 'independent blocks (Java cannot read dependent ones)')
})

/** A zstd frame with no content size made of raw blocks, as a streaming compressor may emit. */
function zstdRawFrame (data: Buffer, withChecksumFlag = false): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, withChecksumFlag ? 0x04 : 0x00, 0x58])] // window 2^(10+11)
  for (let at = 0; at < data.length || at === 0; at += 100_000) {
    const chunk = data.subarray(at, at + 100_000)
    const last = at + 100_000 >= data.length ? 1 : 0
    const h = (chunk.length << 3) | last
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), chunk)
    if (data.length === 0) break
  }
  if (withChecksumFlag) parts.push(Buffer.alloc(4)) // wrong on purpose in the test that uses it
  return Buffer.concat(parts)
}

function zstdRleFrame (blocks: number, blockSize: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58])]
  for (let i = 0; i < blocks; i++) {
    const h = (blockSize << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0)
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x61]))
  }
  return Buffer.concat(parts)
}

t.test('zstd: frames without a content size decode', async t => {
  const data = randomBytes(250_000)
  const frame = zstdRawFrame(data)
  t.ok((await decompress(4, frame)).equals(data), 'raw blocks, no content size')
  t.ok((await decompress(4, zstdRleFrame(3, 1000))).equals(Buffer.alloc(3000, 0x61)), 'RLE blocks, no content size')
  t.ok((await decompress(4, Buffer.concat([frame, zstdRleFrame(1, 10)]))).equals(Buffer.concat([data, Buffer.alloc(10, 0x61)])), 'two frames')
  const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3])
  t.ok((await decompress(4, Buffer.concat([skippable, zstdRleFrame(1, 5)]))).equals(Buffer.alloc(5, 0x61)), 'skippable frame first')
  await rejects(t, decompress(4, zstdRawFrame(text(1000), true)), 'corrupt', 'wrong content checksum')
})

t.test('every fixture payload decompresses to a record body of the declared size', async t => {
  for (const f of produceFixtures()) {
    const codec = CODEC_IDS[f.codec]!
    if (codec === 0) continue
    const batch = f.records[0]!
    const out = await decompress(codec, batch.subarray(BATCH_HEADER_SIZE))
    t.ok(out.length > 0, `${f.file}: ${out.length} bytes (${f.batches[0]!.compression})`)
    if (codec === 3) t.ok(lz4FrameBound(batch.subarray(BATCH_HEADER_SIZE)).bound >= out.length, `${f.file}: lz4 bound holds`)
    if (codec === 4) t.ok(zstdBound(batch.subarray(BATCH_HEADER_SIZE)) >= out.length, `${f.file}: zstd bound holds`)
  }
})

t.test('decompression-bomb guard: typed error instead of unbounded output', async t => {
  const zeros = Buffer.alloc(4 * 1024 * 1024)
  const max = 1024 * 1024
  for (const codec of [1, 2, 3, 4]) {
    const packed = await compress(codec, zeros)
    t.ok(packed.length < max / 4, `codec ${codec} shrinks zeros to ${packed.length} bytes`)
    await rejects(t, decompress(codec, packed, max), 'too-large', `codec ${codec}`)
    t.equal((await decompress(codec, packed, zeros.length)).length, zeros.length, `codec ${codec} at exactly the limit`)
  }
  await rejects(t, decompress(2, snappyjs.compress(zeros), max), 'too-large', 'raw snappy')
  await rejects(t, decompress(4, zstdRleFrame(1000, 128 * 1024), max), 'too-large', 'zstd RLE bomb without content size')
  await rejects(t, decompress(0, zeros, max), 'too-large', 'uncompressed')
})

t.test('malformed and truncated payloads give typed errors, never a crash', async t => {
  const data = text(100_000)
  const garbage = Buffer.from('this is not compressed data at all; '.repeat(12))
  for (const codec of [1, 2, 3, 4]) {
    await rejects(t, decompress(codec, garbage), 'corrupt', `codec ${codec} garbage`)
    const packed = await compress(codec, data)
    await rejects(t, decompress(codec, packed.subarray(0, packed.length - 7)), 'truncated', `codec ${codec} truncated`)
    await rejects(t, decompress(codec, Buffer.alloc(0)), 'truncated', `codec ${codec} empty`)
    const flipped = Buffer.from(packed)
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff
    try {
      const out = await decompress(codec, flipped)
      t.ok(Buffer.isBuffer(out), `codec ${codec} bit flip decoded to something (codec without a checksum)`)
    } catch (err) {
      t.ok(err instanceof CompressionError, `codec ${codec} bit flip: CompressionError`)
    }
  }
  await rejects(t, decompress(1, gzipSync(data).subarray(0, 50)), 'truncated', 'gzip cut mid-stream')
  const xerialCut = await compress(2, data)
  xerialCut.writeInt32BE(1 << 30, 16)
  await rejects(t, decompress(2, xerialCut), 'truncated', 'xerial chunk length past the end')
  await rejects(t, decompress(2, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), 'corrupt', 'snappy preamble too long')
})

t.test('unknown codec ids are a typed error', async t => {
  for (const codec of [5, 6, 7, -1]) {
    await rejects(t, compress(codec, Buffer.from('x')), 'unknown-codec', `compress ${codec}`)
    await rejects(t, decompress(codec, Buffer.from('x')), 'unknown-codec', `decompress ${codec}`)
  }
})
