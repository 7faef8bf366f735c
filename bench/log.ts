// Partition log throughput: appends of 16 KiB batches (1 MiB segments so rolls are included), then
// sequential reads of 1 MiB fetches. Prints MB/s; run with `node --import tsx bench/log.ts [MiB]`.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PartitionLog } from '../src/log/partition-log.js'
import { crc32c } from '../src/wire/crc32c.js'

const totalMiB = Number(process.argv[2] ?? 256)
const BATCH_BYTES = 16 * 1024
const RECORDS = 16

function batch (): Buffer {
  const b = Buffer.alloc(BATCH_BYTES)
  b.writeInt32BE(BATCH_BYTES - 12, 8)
  b.writeInt8(2, 16)
  b.writeInt32BE(RECORDS - 1, 23)
  b.writeBigInt64BE(BigInt(Date.now()), 27)
  b.writeBigInt64BE(BigInt(Date.now()), 35)
  b.writeInt32BE(RECORDS, 57)
  b.writeUInt32BE(crc32c(b.subarray(21)), 17)
  return b
}

const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-log-'))
const quiet = { info: () => {}, warn: () => {}, error: () => {} }
try {
  const log = await PartitionLog.open(dir, { segmentBytes: 1024 * 1024 * 64, logger: quiet })
  const template = batch()
  const count = Math.floor(totalMiB * 1024 * 1024 / BATCH_BYTES)
  let t0 = process.hrtime.bigint()
  const inflight: Array<Promise<unknown>> = []
  for (let i = 0; i < count; i++) {
    inflight.push(log.append(Buffer.from(template), { leaderEpoch: 0 }))
    if (inflight.length >= 64) await Promise.all(inflight.splice(0))
  }
  await Promise.all(inflight)
  let secs = Number(process.hrtime.bigint() - t0) / 1e9
  const mb = count * BATCH_BYTES / 1e6
  console.log(`append: ${mb.toFixed(0)} MB in ${secs.toFixed(2)} s = ${(mb / secs).toFixed(0)} MB/s (${(count / secs).toFixed(0)} batches/s)`)

  t0 = process.hrtime.bigint()
  let offset = 0n
  let read = 0
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1024 * 1024)
    read += records.length
    offset += BigInt(records.length / BATCH_BYTES * RECORDS)
  }
  secs = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(`read:   ${(read / 1e6).toFixed(0)} MB in ${secs.toFixed(2)} s = ${(read / 1e6 / secs).toFixed(0)} MB/s`)

  t0 = process.hrtime.bigint()
  await log.close()
  console.log(`close (fsync): ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`)
  t0 = process.hrtime.bigint()
  const reopened = await PartitionLog.open(dir, { segmentBytes: 1024 * 1024 * 64, logger: quiet })
  console.log(`clean open: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms, end offset ${reopened.logEndOffset}`)
  await reopened.close()
} finally {
  await rm(dir, { recursive: true, force: true })
}
