// Throughput of the wire-level CPU work: CRC-32C (native vs crc-32's JS table) and each codec's
// compress/decompress on a record-like payload, plus snappyjs (kafkajs-snappy's codec) for contrast.
// Run: node --import tsx bench/codecs.ts
import { createRequire } from 'node:module'
import { crc32c } from '../src/wire/crc32c.js'
import { compress, decompress } from '../src/wire/compression/index.js'
import { compressSnappyRaw } from '../src/wire/compression/snappy.js'
import { encodeBatch } from '../src/wire/records.js'

const require = createRequire(import.meta.url)
const jsCrc = require('crc-32/crc32c') as { buf: (b: Uint8Array) => number }
const snappyjs = require('snappyjs') as { compress: (b: Buffer) => Buffer, uncompress: (b: Buffer) => Buffer }

const SIZE = 1024 * 1024
const MIN_MS = 400

async function payload (): Promise<Buffer> {
  const records = []
  for (let i = 0; records.length * 120 < SIZE; i++) {
    records.push({ key: Buffer.from(`user-${i % 5000}`), value: Buffer.from(JSON.stringify({ id: i, event: 'click', page: `/p/${i % 97}`, ts: 1700000000000 + i })), headers: [{ key: 'trace', value: Buffer.from(String(i * 7919)) }] })
  }
  return (await encodeBatch({ records })).subarray(61)
}

async function rate (label: string, bytes: number, fn: () => unknown): Promise<void> {
  await fn()
  let n = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  while (elapsed < MIN_MS) {
    await fn()
    n++
    elapsed = Number(process.hrtime.bigint() - start) / 1e6
  }
  const mbps = (bytes * n) / (elapsed / 1000) / 1e6
  console.log(`${label.padEnd(34)} ${mbps.toFixed(0).padStart(7)} MB/s`)
}

const data = await payload()
console.log(`payload: ${data.length} bytes of encoded records`)
await rate('crc32c @node-rs/crc32', data.length, () => crc32c(data))
await rate('crc32c crc-32 (JS)', data.length, () => jsCrc.buf(data))
const names = ['', 'gzip', 'snappy (xerial)', 'lz4 frame', 'zstd']
for (const codec of [1, 2, 3, 4]) {
  const packed = await compress(codec, data)
  console.log(`${names[codec]}: ratio ${(data.length / packed.length).toFixed(2)}`)
  await rate(`  compress ${names[codec]}`, data.length, () => compress(codec, data))
  await rate(`  decompress ${names[codec]}`, data.length, () => decompress(codec, packed))
}
const raw = await compressSnappyRaw(data)
await rate('  decompress snappy raw (native)', data.length, () => decompress(2, raw))
await rate('  compress snappyjs', data.length, () => snappyjs.compress(data))
await rate('  decompress snappyjs', data.length, () => snappyjs.uncompress(raw))
