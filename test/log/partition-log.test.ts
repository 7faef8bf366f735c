import t from 'tap'
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { PartitionLog } from '../../src/log/partition-log.js'
import { InvalidBatchError, LogClosedError, OffsetOutOfRangeError } from '../../src/log/errors.js'
import { captureLogger, makeBatch, parseBatches, simpleBatch } from './batch-helper.js'

const quiet = captureLogger()

async function fill (log: PartitionLog, batches: number, records: number, valueSize = 10): Promise<void> {
  for (let i = 0; i < batches; i++) await log.append(simpleBatch(records, 1000n + BigInt(i * records), valueSize), { leaderEpoch: 3 })
}

t.test('append assigns offsets and rewrites base offset and leader epoch', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  t.equal(log.logStartOffset, 0n)
  t.equal(log.logEndOffset, 0n)
  const r1 = await log.append(simpleBatch(3, 5000n), { leaderEpoch: 7 })
  t.same(r1, { baseOffset: 0n, lastOffset: 2n, maxTimestamp: 5002n, offsetOfMaxTimestamp: 2n })
  const two = Buffer.concat([simpleBatch(2, 100n), simpleBatch(4, 9000n)])
  const r2 = await log.append(two, { leaderEpoch: 8 })
  t.same(r2, { baseOffset: 3n, lastOffset: 8n, maxTimestamp: 9003n, offsetOfMaxTimestamp: 8n })
  t.equal(log.logEndOffset, 9n)
  const { records } = await log.read(0n, 1 << 20)
  const parsed = parseBatches(records)
  t.same(parsed.map(b => [b.baseOffset, b.lastOffset, b.leaderEpoch]), [[0n, 2n, 7], [3n, 4n, 8], [5n, 8n, 8]])
  await log.close()
})

t.test('concurrent appends get consecutive offsets in call order', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1000 })
  const results = await Promise.all(Array.from({ length: 50 }, async (_, i) => await log.append(simpleBatch(1 + (i % 3)), { leaderEpoch: 0 })))
  let expected = 0n
  for (const [i, r] of results.entries()) {
    t.equal(r.baseOffset, expected, `append ${i}`)
    expected = r.lastOffset + 1n
  }
  t.equal(log.logEndOffset, expected)
  const offsets: bigint[] = []
  let at = 0n
  while (at < log.logEndOffset) {
    const { records } = await log.read(at, 1 << 20)
    for (const b of parseBatches(records)) { offsets.push(b.baseOffset); at = b.lastOffset + 1n }
  }
  t.same(offsets, results.map(r => r.baseOffset))
  await log.close()
})

t.test('LogAppendTime rewrites timestamps and keeps the CRC valid', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  const r = await log.append(Buffer.concat([simpleBatch(2, 10n), simpleBatch(2, 20n)]), { leaderEpoch: 0, logAppendTimeMs: 777n })
  t.equal(r.maxTimestamp, 777n)
  const { records } = await log.read(0n, 1 << 20)
  const parsed = parseBatches(records)
  t.same(parsed.map(b => b.maxTimestamp), [777n, 777n])
  t.equal(records.readInt16BE(21) & 0x08, 0x08)
  await log.close()
})

t.test('segments roll at segmentBytes and reads cross them', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 500, indexIntervalBytes: 100 })
  await fill(log, 40, 2)
  t.equal(log.logEndOffset, 80n)
  const logs = (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
  t.ok(logs.length > 5, `rolled into ${logs.length} segments`)
  t.equal(logs[0], '00000000000000000000.log')
  t.match(logs[1], /^\d{20}\.log$/)
  t.ok(log.sizeInBytes() > 40 * 61)
  for (let o = 0n; o < 80n; o++) {
    const { records } = await log.read(o, 1)
    const [b] = parseBatches(records)
    t.ok(b !== undefined && b.baseOffset <= o && b.lastOffset >= o, `offset ${o} inside returned batch`)
  }
  // A read never spans segments but does return several batches of one.
  const { records } = await log.read(0n, 100000)
  const parsed = parseBatches(records)
  t.ok(parsed.length > 1)
  t.equal(parsed[0]!.baseOffset, 0n)
  for (let i = 1; i < parsed.length; i++) t.equal(parsed[i]!.baseOffset, parsed[i - 1]!.lastOffset + 1n)
  await log.close()
})

t.test('reading from inside a batch returns the whole containing batch', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, indexIntervalBytes: 0 })
  await fill(log, 5, 10)
  const { records } = await log.read(23n, 1)
  const parsed = parseBatches(records)
  t.equal(parsed.length, 1)
  t.equal(parsed[0]!.baseOffset, 20n)
  t.equal(parsed[0]!.lastOffset, 29n)
  await log.close()
})

t.test('maxBytes and minOneBatch', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await fill(log, 4, 5)
  const size = parseBatches((await log.read(0n, 1)).records)[0]!.size
  t.equal((await log.read(0n, size * 2)).records.length, size * 2, 'exactly two batches fit')
  t.equal((await log.read(0n, size * 2 + size - 1)).records.length, size * 2, 'never a partial batch')
  t.equal((await log.read(0n, 10)).records.length, size, 'first batch whole despite maxBytes')
  t.equal((await log.read(0n, 10, { minOneBatch: false })).records.length, 0)
  t.equal((await log.read(0n, size, { minOneBatch: false })).records.length, size)
  t.equal((await log.read(0n, 0)).records.length, size)
  await log.close()
})

t.test('maxOffset bounds the read', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await fill(log, 4, 5)
  t.same(parseBatches((await log.read(0n, 1 << 20, { maxOffset: 10n })).records).map(b => b.baseOffset), [0n, 5n])
  t.equal((await log.read(10n, 1 << 20, { maxOffset: 10n })).records.length, 0)
  t.equal((await log.read(5n, 1 << 20, { maxOffset: 7n })).records.length, 0, 'a batch straddling the bound is held back')
  await log.close()
})

t.test('offsets out of range throw, the end offset reads empty', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await fill(log, 2, 5)
  t.equal((await log.read(10n, 1000)).records.length, 0)
  await t.rejects(log.read(11n, 1000), OffsetOutOfRangeError)
  await t.rejects(log.read(-1n, 1000), OffsetOutOfRangeError)
  await log.deleteRecordsBefore(5n)
  await t.rejects(log.read(4n, 1000), OffsetOutOfRangeError)
  t.equal(parseBatches((await log.read(5n, 1000)).records)[0]!.baseOffset, 5n)
  await log.close()
})

t.test('malformed appends are rejected without consuming offsets', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await t.rejects(log.append(Buffer.alloc(0), { leaderEpoch: 0 }), InvalidBatchError)
  await t.rejects(log.append(Buffer.alloc(30), { leaderEpoch: 0 }), InvalidBatchError)
  const b = simpleBatch(2)
  await t.rejects(log.append(b.subarray(0, b.length - 1), { leaderEpoch: 0 }), InvalidBatchError)
  const badMagic = Buffer.from(b)
  badMagic.writeInt8(1, 16)
  await t.rejects(log.append(badMagic, { leaderEpoch: 0 }), InvalidBatchError)
  const shortLen = Buffer.from(b)
  shortLen.writeInt32BE(10, 8)
  await t.rejects(log.append(Buffer.concat([simpleBatch(1), shortLen]), { leaderEpoch: 0 }), InvalidBatchError)
  t.equal(log.logEndOffset, 0n)
  t.equal((await log.append(simpleBatch(1), { leaderEpoch: 0 })).baseOffset, 0n)
  await log.close()
})

t.test('restart keeps everything and trusts the indexes', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 600, indexIntervalBytes: 50 })
  await fill(log, 30, 3)
  const before = (await log.read(0n, 1 << 20)).records
  await log.close()
  await t.rejects(log.read(0n, 10), LogClosedError)
  await t.rejects(log.append(simpleBatch(1), { leaderEpoch: 0 }), LogClosedError)
  t.ok((await readdir(dir)).includes('.clean-shutdown'))
  const logger = captureLogger()
  const again = await PartitionLog.open(dir, { logger, segmentBytes: 600, indexIntervalBytes: 50 })
  t.notOk((await readdir(dir)).includes('.clean-shutdown'), 'marker removed at open so a crash is detected')
  t.same(logger.lines.filter(l => l.level !== 'info'), [])
  t.equal(again.logEndOffset, 90n)
  t.same((await again.read(0n, 1 << 20)).records, before)
  for (let o = 0n; o < 90n; o += 7n) {
    const [b] = parseBatches((await again.read(o, 1)).records)
    t.ok(b!.baseOffset <= o && o <= b!.lastOffset)
  }
  t.equal((await again.append(simpleBatch(1), { leaderEpoch: 0 })).baseOffset, 90n)
  await again.close()
})

t.test('time index lookups', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 400, indexIntervalBytes: 60 })
  // 20 batches of 3 records; batch i has timestamps 1000+10i .. 1000+10i+2
  for (let i = 0; i < 20; i++) await log.append(simpleBatch(3, 1000n + BigInt(10 * i)), { leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(0n), { offset: 0n, timestamp: 1000n, leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(1000n), { offset: 0n, timestamp: 1000n, leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(1001n), { offset: 1n, timestamp: 1001n, leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(1003n), { offset: 3n, timestamp: 1010n, leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(1152n), { offset: 47n, timestamp: 1152n, leaderEpoch: 2 })
  t.same(await log.offsetForTimestamp(1192n), { offset: 59n, timestamp: 1192n, leaderEpoch: 2 })
  t.equal(await log.offsetForTimestamp(1193n), null)
  t.same(await log.maxTimestampOffset(), { offset: 59n, timestamp: 1192n, leaderEpoch: 2 })
  await log.close()
  const again = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 400, indexIntervalBytes: 60 })
  t.same(await again.offsetForTimestamp(1152n), { offset: 47n, timestamp: 1152n, leaderEpoch: 2 })
  t.same(await again.maxTimestampOffset(), { offset: 59n, timestamp: 1192n, leaderEpoch: 2 })
  await again.deleteRecordsBefore(30n)
  t.same(await again.offsetForTimestamp(0n), { offset: 30n, timestamp: 1100n, leaderEpoch: 2 }, 'never below the log start offset')
  await again.close()
})

t.test('timestamp lookups with out-of-order record timestamps', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await log.append(makeBatch([{ timestamp: 500n }, { timestamp: 900n }, { timestamp: 100n }, { timestamp: 950n }]), { leaderEpoch: 0 })
  t.same(await log.offsetForTimestamp(600n), { offset: 1n, timestamp: 900n, leaderEpoch: 0 })
  t.same(await log.offsetForTimestamp(920n), { offset: 3n, timestamp: 950n, leaderEpoch: 0 })
  t.same(await log.maxTimestampOffset(), { offset: 3n, timestamp: 950n, leaderEpoch: 0 })
  await log.append(makeBatch([{ timestamp: 10n }, { timestamp: 990n }, { timestamp: 990n }]), { leaderEpoch: 1 })
  t.same(await log.maxTimestampOffset(), { offset: 5n, timestamp: 990n, leaderEpoch: 1 })
  await log.close()
})

t.test('empty log answers', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  t.equal(await log.offsetForTimestamp(0n), null)
  t.equal(await log.maxTimestampOffset(), null)
  t.equal((await log.read(0n, 100)).records.length, 0)
  t.equal(log.sizeInBytes(), 0)
  await log.close()
})

t.test('deleteRecordsBefore persists and removes whole segments', async t => {
  const dir = t.testdir()
  const opts = { logger: quiet, segmentBytes: 300 }
  const log = await PartitionLog.open(dir, opts)
  await fill(log, 20, 2)
  const segsBefore = (await readdir(dir)).filter(n => n.endsWith('.log')).length
  await log.deleteRecordsBefore(21n)
  t.equal(log.logStartOffset, 21n)
  const segsAfter = (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
  t.ok(segsAfter.length < segsBefore)
  t.ok(BigInt(segsAfter[0]!.slice(0, 20)) <= 21n, 'the segment holding the new start stays')
  await t.rejects(log.deleteRecordsBefore(41n), OffsetOutOfRangeError)
  await log.deleteRecordsBefore(10n)
  t.equal(log.logStartOffset, 21n, 'never moves back')
  await log.close()
  const again = await PartitionLog.open(dir, opts)
  t.equal(again.logStartOffset, 21n)
  t.equal(again.logEndOffset, 40n)
  await t.rejects(again.read(20n, 10), OffsetOutOfRangeError)
  t.equal(parseBatches((await again.read(21n, 10)).records)[0]!.lastOffset, 21n)
  // An unclean stop after another delete: the checkpoint written by the delete carries it.
  await again.deleteRecordsBefore(40n)
  await again.close()
  await rm(join(dir, '.clean-shutdown'))
  const third = await PartitionLog.open(dir, opts)
  t.equal(third.logStartOffset, 40n)
  t.equal(third.logEndOffset, 40n)
  t.equal((await third.append(simpleBatch(1), { leaderEpoch: 0 })).baseOffset, 40n)
  await third.close()
})

t.test('truncateTo', async t => {
  const dir = t.testdir()
  const opts = { logger: quiet, segmentBytes: 300, indexIntervalBytes: 50 }
  const log = await PartitionLog.open(dir, opts)
  await fill(log, 20, 2)
  await log.truncateTo(50n)
  t.equal(log.logEndOffset, 40n, 'beyond the end: no-op')
  await log.truncateTo(17n)
  t.equal(log.logEndOffset, 17n)
  const segs = (await readdir(dir)).filter(n => n.endsWith('.log')).map(n => BigInt(n.slice(0, 20)))
  t.ok(segs.every(b => b <= 17n), 'later segments deleted')
  // 16..17 straddled 17, so it went whole; the last batch left is 14..15.
  const { records } = await log.read(14n, 1 << 20)
  t.same(parseBatches(records).map(b => b.baseOffset), [14n])
  t.equal((await log.read(17n, 100)).records.length, 0)
  t.equal((await log.append(simpleBatch(2), { leaderEpoch: 9 })).baseOffset, 17n)
  t.equal(await log.offsetForTimestamp(1016n), null, 'truncated timestamps are gone from the time index')
  t.same(await log.offsetForTimestamp(1015n), { offset: 15n, timestamp: 1015n, leaderEpoch: 3 })
  t.same(await log.maxTimestampOffset(), { offset: 15n, timestamp: 1015n, leaderEpoch: 3 })
  await log.truncateTo(0n)
  t.equal(log.logEndOffset, 0n)
  t.equal((await log.append(simpleBatch(3), { leaderEpoch: 1 })).baseOffset, 0n)
  await log.close()
  const again = await PartitionLog.open(dir, opts)
  t.equal(again.logEndOffset, 3n)
  await again.close()
})

t.test('truncateTo below the log start offset restarts the log there', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 300 })
  await fill(log, 10, 2)
  await log.deleteRecordsBefore(12n)
  await log.truncateTo(5n)
  t.equal(log.logStartOffset, 5n)
  t.equal(log.logEndOffset, 5n)
  t.same((await readdir(dir)).filter(n => n.endsWith('.log')), ['00000000000000000005.log'])
  t.equal((await log.append(simpleBatch(1), { leaderEpoch: 0 })).baseOffset, 5n)
  await log.close()
})

t.test('appends queued before a truncation are cut; later ones follow it', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await fill(log, 2, 5)
  const a = log.append(simpleBatch(5), { leaderEpoch: 0 })
  const tr = log.truncateTo(5n)
  const b = log.append(simpleBatch(2), { leaderEpoch: 0 })
  t.equal((await a).baseOffset, 10n)
  await tr
  t.equal((await b).baseOffset, 5n)
  t.equal(log.logEndOffset, 7n)
  t.same(parseBatches((await log.read(0n, 1 << 20)).records).map(x => x.baseOffset), [0n, 5n])
  await log.close()
})

t.test('reads during appends never see a partial batch', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 64 * 1024 })
  const appends: Array<Promise<unknown>> = []
  const reads: Array<Promise<void>> = []
  for (let i = 0; i < 200; i++) {
    appends.push(log.append(simpleBatch(4, 1000n, 300), { leaderEpoch: 0 }))
    if (i % 5 === 0) {
      reads.push((async () => {
        const end = log.logEndOffset
        if (end === 0n) return
        const { records } = await log.read(end - 1n, 1 << 20)
        parseBatches(records)
      })())
    }
  }
  await Promise.all(appends)
  await Promise.all(reads)
  t.equal(log.logEndOffset, 800n)
  await log.close()
})

t.test('flushOnAppend and flush write the recovery point', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, flushOnAppend: true })
  await fill(log, 3, 2)
  await log.flush()
  t.equal(await readFile(join(dir, 'recovery-point'), 'utf8'), '0\n6\n')
  await log.close()
})

t.test('delete removes the directory', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(join(dir, 'topic-0'), { logger: quiet })
  await fill(log, 2, 2)
  await log.delete()
  t.same(await readdir(dir), [])
})

t.test('rejects nonsense options', async t => {
  await t.rejects(PartitionLog.open(t.testdir(), { segmentBytes: 0 }), RangeError)
  await t.rejects(PartitionLog.open(t.testdir(), { indexIntervalBytes: -1 }), RangeError)
})

t.test('invalid append options are rejected, not thrown', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet })
  await t.rejects(log.append(simpleBatch(1), { leaderEpoch: 2 ** 31 }), RangeError)
  await t.rejects(log.append(simpleBatch(1), { leaderEpoch: 0, logAppendTimeMs: 2n ** 63n }), RangeError)
  t.equal(log.logEndOffset, 0n)
  await log.close()
})
