import t from 'tap'
import { copyFile, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { PartitionLog } from '../../src/log/partition-log.js'
import { cleanLog, cleanableRange, type CleanerConfig } from '../../src/log/cleaner.js'
import { decodeBatches, encodeBatch, type DecodedBatch } from '../../src/wire/records.js'
import { BatchView, DELETE_HORIZON_MASK } from '../../src/wire/record-batch.js'
import { captureLogger } from './batch-helper.js'

const quiet = captureLogger()
const HOUR = 3600_000
const config = (c: Partial<CleanerConfig> = {}): CleanerConfig => ({
  minCleanableRatio: 0.5, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, deleteRetentionMs: 24 * HOUR,
  fileDeleteDelayMs: 0, maxMapEntries: 1_000_000, now: 1_000_000_000, ...c
})

type Rec = [key: string | null, value: string | null]
async function keyed (recs: Rec[], opts: { compression?: number, ts?: bigint, producerId?: bigint, baseSequence?: number } = {}): Promise<Buffer> {
  return await encodeBatch({
    records: recs.map(([k, v]) => ({ key: k === null ? null : Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: opts.ts ?? 1000n })),
    compression: opts.compression,
    producerId: opts.producerId,
    producerEpoch: opts.producerId === undefined ? -1 : 3,
    baseSequence: opts.baseSequence
  })
}

async function readAll (log: PartitionLog): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = []
  let at = log.logStartOffset
  while (at < log.logEndOffset) {
    const { records } = await log.read(at, 1 << 20)
    if (records.length === 0) break
    const batches = await decodeBatches(records)
    out.push(...batches)
    at = batches[batches.length - 1]!.baseOffset + BigInt(batches[batches.length - 1]!.lastOffsetDelta) + 1n
  }
  return out
}

const flat = (bs: DecodedBatch[]): string[] => bs.flatMap(b => b.records.map(r => `${r.offset}:${r.key?.toString() ?? '-'}=${r.value?.toString() ?? 'null'}`))

async function rollNow (log: PartitionLog): Promise<void> {
  // A tiny segment.bytes makes the next append roll; restore it so later appends share a segment.
  log.configure({ segmentBytes: 61 })
  await log.append(await keyed([['roll', 'x']]), { leaderEpoch: 0 })
  log.configure({ segmentBytes: 1 << 20 })
}

t.test('keeps the latest record per key in inactive segments; offsets never change; the active segment is untouched', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  await log.append(await keyed([['a', '1'], ['b', '1'], ['c', '1']]), { leaderEpoch: 0 }) // 0-2
  await log.append(await keyed([['a', '2'], ['b', '2']]), { leaderEpoch: 0 }) // 3-4
  await log.append(await keyed([['a', '3'], [null, 'keyless']]), { leaderEpoch: 0 }) // 5-6
  await rollNow(log) // 7 opens the active segment
  await log.append(await keyed([['a', 'active']]), { leaderEpoch: 0 }) // 8
  const stats = await cleanLog(log, config())
  t.equal(stats.cleaned, true)
  t.equal(stats.endOffset, 7n)
  t.same(flat(await readAll(log)), ['2:c=1', '4:b=2', '5:a=3', '7:roll=x', '8:a=active'])
  const batches = await readAll(log)
  // Each surviving batch keeps its base and last offset: the gaps are inside and between batches.
  t.same(batches.map(b => [b.baseOffset, b.lastOffsetDelta]), [[0n, 2], [3n, 1], [5n, 1], [7n, 0], [8n, 0]])
  t.equal(log.logEndOffset, 9n)
  const r = await log.append(await keyed([['z', 'z']]), { leaderEpoch: 0 })
  t.equal(r.baseOffset, 9n)
  // Clean now: nothing dirty left below the active segment.
  t.equal((await cleanLog(log, config())).cleaned, false)
  await log.close()
})

t.test('min.cleanable.dirty.ratio decides; max.compaction.lag.ms overrides it; min.compaction.lag.ms holds recent segments back', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  await log.append(await keyed([['a', '1'], ['a', '2']], { ts: 5000n }), { leaderEpoch: 0 })
  await rollNow(log)
  const range = await cleanableRange(log, config())
  t.equal(range.ratio, 1)
  t.equal((await cleanLog(log, config({ minCleanableRatio: 1 }))).cleaned, false, 'ratio must exceed the minimum')
  t.equal((await cleanLog(log, config({ minCompactionLagMs: HOUR, now: 5000 + HOUR - 1 }))).cleaned, false, 'too recent')
  t.equal((await cleanLog(log, config({ minCleanableRatio: 1, maxCompactionLagMs: 1000, now: 7000 }))).cleaned, true, 'lag exceeded')
  t.same(flat(await readAll(log)), ['1:a=2', '2:roll=x'])
  // Now clean bytes exist: a little new dirt keeps the ratio low.
  await log.append(await keyed([['b', '1']]), { leaderEpoch: 0 })
  await rollNow(log)
  const r2 = await cleanableRange(log, config())
  t.equal(r2.firstDirtyOffset, 2n)
  t.ok(r2.ratio > 0 && r2.ratio < 1)
  await log.close()
})

t.test('tombstones get a delete horizon when first cleaned and are dropped once it passes', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  await log.append(await keyed([['a', '1'], ['b', '1']]), { leaderEpoch: 0 })
  await log.append(await keyed([['a', null], ['c', '1']]), { leaderEpoch: 0 })
  await rollNow(log)
  const now = 2_000_000
  await cleanLog(log, config({ now, deleteRetentionMs: 1000 }))
  let batches = await readAll(log)
  t.same(flat(batches), ['1:b=1', '2:a=null', '3:c=1', '4:roll=x'])
  const tomb = batches[1]!
  t.ok((tomb.attributes & DELETE_HORIZON_MASK) !== 0, 'delete-horizon bit set')
  t.equal(tomb.baseTimestamp, BigInt(now + 1000), 'base timestamp is the horizon')
  t.equal(tomb.records[0]!.timestamp, 1000n, 'record timestamps unchanged')
  t.equal(batches[0]!.attributes & DELETE_HORIZON_MASK, 0, 'no tombstone, no horizon')
  // Before the horizon the tombstone stays, after it it goes.
  await log.append(await keyed([['d', '1']]), { leaderEpoch: 0 })
  await rollNow(log)
  await cleanLog(log, config({ now: now + 999 }), true)
  t.ok(flat(await readAll(log)).includes('2:a=null'))
  await log.append(await keyed([['e', '1']]), { leaderEpoch: 0 })
  await rollNow(log)
  await cleanLog(log, config({ now: now + 1000 }), true)
  batches = await readAll(log)
  t.notOk(flat(batches).includes('2:a=null'))
  t.ok(flat(batches).includes('3:c=1'))
  await log.close()
})

t.test('compressed batches are filtered and recompressed with their own codec', async t => {
  for (const codec of [1, 2, 3, 4]) {
    const log = await PartitionLog.open(join(t.testdir(), `c${codec}`), { logger: quiet, segmentBytes: 1 << 20 })
    await log.append(await keyed([['a', '1'], ['b', '1'], ['a', '2']], { compression: codec }), { leaderEpoch: 0 })
    await rollNow(log)
    await cleanLog(log, config())
    const [first] = await readAll(log)
    t.equal(first!.compression, codec, `codec ${codec}`)
    t.same(flat([first!]), ['1:b=1', '2:a=2'])
    await log.close()
  }
})

t.test('producer fields are kept, and a producer\'s last batch survives as an empty batch', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  await log.append(await keyed([['a', '1'], ['b', '1']], { producerId: 42n, baseSequence: 0 }), { leaderEpoch: 0 })
  await log.append(await keyed([['a', '2']], { producerId: 42n, baseSequence: 2 }), { leaderEpoch: 0 }) // 2
  await log.append(await keyed([['b', '2']], { producerId: 7n, baseSequence: 0 }), { leaderEpoch: 0 }) // 3
  await log.append(await keyed([['a', '3'], ['b', '3']]), { leaderEpoch: 0 }) // 4-5: no producer
  await rollNow(log)
  await cleanLog(log, config())
  const batches = await readAll(log)
  // Batch 0 is nobody's last: gone. Batch 2 is pid 42's last, batch 3 pid 7's last: both kept empty.
  t.same(batches.map(b => [b.baseOffset, b.lastOffsetDelta, b.records.length, b.producerId, b.producerEpoch, b.baseSequence]),
    [[2n, 0, 0, 42n, 3, 2], [3n, 0, 0, 7n, 3, 0], [4n, 1, 2, -1n, -1, -1], [6n, 0, 1, -1n, -1, -1]])
  await log.close()
})

t.test('a crash after the swap commit point completes the swap at open; a crash before it loses nothing', async t => {
  const dir = t.testdir()
  let log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 1 << 20 })
  await log.append(await keyed([['a', '1'], ['a', '2']]), { leaderEpoch: 0 })
  await rollNow(log)
  await log.append(await keyed([['a', '3']]), { leaderEpoch: 0 })
  await log.close()
  // Keep a copy of the uncleaned first segment, clean, then fake "crash after .swap rename": the
  // cleaned segment is .swap and the old segment is back in place.
  const seg0 = join(dir, '00000000000000000000.log')
  await copyFile(seg0, join(dir, 'orig'))
  log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 1 << 20 })
  await cleanLog(log, config())
  await log.close()
  await rename(seg0, seg0 + '.swap')
  await rename(join(dir, 'orig'), seg0)
  log = await PartitionLog.open(dir, { logger: quiet })
  t.same(flat(await readAll(log)), ['1:a=2', '2:roll=x', '3:a=3'])
  t.notOk((await readdir(dir)).some(n => n.endsWith('.swap')))
  await log.close()
  // A .cleaned leftover (crash before the commit point) is discarded and the log is as it was.
  await copyFile(seg0, seg0 + '.cleaned')
  log = await PartitionLog.open(dir, { logger: quiet })
  t.notOk((await readdir(dir)).some(n => n.endsWith('.cleaned')))
  t.same(flat(await readAll(log)), ['1:a=2', '2:roll=x', '3:a=3'])
  await log.close()
})

t.test('reads and appends carry on during a clean and see consistent data', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 4 * 1024 })
  for (let i = 0; i < 400; i++) await log.append(await keyed([[`k${i % 20}`, `v${i}`]]), { leaderEpoch: 0 })
  const before = log.logEndOffset
  const cleaning = cleanLog(log, config())
  const reads: Array<Promise<DecodedBatch[]>> = []
  const appends: Array<Promise<unknown>> = []
  for (let i = 0; i < 20; i++) {
    reads.push(readAll(log))
    appends.push(log.append(await keyed([[`k${i}`, `new${i}`]]), { leaderEpoch: 0 }))
    await new Promise(resolve => setImmediate(resolve))
  }
  const stats = await cleaning
  await Promise.all(appends)
  t.ok(stats.segmentsReplaced > 0)
  for (const r of await Promise.all(reads)) {
    const offsets = r.flatMap(b => b.records.map(x => x.offset))
    t.same(offsets, [...offsets].sort((a, b) => (a < b ? -1 : 1)), 'ascending, no duplicates')
  }
  const after = flat(await readAll(log))
  t.ok(after.includes(`${before - 1n}:k19=v399`))
  t.equal(log.logEndOffset, before + 20n)
  // Every key's latest value below the active segment survived.
  for (let k = 0; k < 20; k++) t.ok(after.some(s => s.endsWith(`:k${k}=new${k}`)), `k${k}`)
  const view = new BatchView((await log.read(0n, 1 << 20)).records)
  t.ok(view.isCrcValid())
  await log.close()
})
