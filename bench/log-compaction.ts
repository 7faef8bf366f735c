// Compaction throughput: a log of N keyed records over K keys in 1 MiB segments, cleaned once.
// Usage: node --import tsx bench/log-compaction.ts [records=200000] [keys=1000] [codec=0]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PartitionLog } from '../src/log/partition-log.js'
import { cleanLog } from '../src/log/cleaner.js'
import { encodeBatch } from '../src/wire/records.js'

const n = Number(process.argv[2] ?? 200_000)
const keys = Number(process.argv[3] ?? 1000)
const codec = Number(process.argv[4] ?? 0)
const quiet = { info: () => {}, warn: () => {}, error: () => {} }
const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-compact-'))
const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 1 << 20 })
const value = Buffer.alloc(100, 97)
for (let i = 0; i < n; i += 10) {
  const records = Array.from({ length: 10 }, (_, j) => ({ key: Buffer.from(`key-${(i + j) % keys}`), value }))
  await log.append(await encodeBatch({ records, compression: codec }), { leaderEpoch: 0 })
}
const t0 = process.hrtime.bigint()
const s = await cleanLog(log, { minCleanableRatio: 0.5, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, deleteRetentionMs: 86400000, fileDeleteDelayMs: 0, maxMapEntries: 5_000_000, now: Date.now() })
const secs = Number(process.hrtime.bigint() - t0) / 1e9
console.log(`compaction (codec ${codec}): ${s.recordsRead} records / ${(s.bytesRead / 1e6).toFixed(1)} MB read in ${secs.toFixed(2)} s = ${(s.recordsRead / secs).toFixed(0)} records/s, ${(s.bytesRead / 1e6 / secs).toFixed(1)} MB/s; kept ${s.recordsRetained}, wrote ${(s.bytesWritten / 1e6).toFixed(2)} MB, ${s.segmentsReplaced} segments replaced`)
await log.close()
await rm(dir, { recursive: true, force: true })
