import t from 'tap'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { OffsetIndex } from '../../src/log/offset-index.js'
import { TimeIndex } from '../../src/log/time-index.js'
import { PartitionLog } from '../../src/log/partition-log.js'
import { IndexFile } from '../../src/log/index-file.js'
import { captureLogger, simpleBatch } from './batch-helper.js'

t.test('offset index lookup finds the greatest entry at or below the target', async t => {
  const idx = new OffsetIndex(join(t.testdir(), 'x.index'), 100n, 1024)
  t.same(idx.lookup(150n), { offset: 100n, position: 0 }, 'empty index falls back to the segment start')
  for (let i = 1; i <= 100; i++) idx.append(100n + BigInt(i * 10), i * 1000)
  t.same(idx.lookup(105n), { offset: 100n, position: 0 })
  t.same(idx.lookup(110n), { offset: 110n, position: 1000 })
  t.same(idx.lookup(555n), { offset: 550n, position: 45000 })
  t.same(idx.lookup(99999n), { offset: 1100n, position: 100000 })
  t.same(idx.lookup(50n), { offset: 100n, position: 0 })
  t.ok(idx.isConsistent(100001))
  t.notOk(idx.isConsistent(100000), 'an entry at or past the log end is inconsistent')
  idx.truncateToOffset(555n)
  t.same(idx.lastEntry(), { offset: 550n, position: 45000 })
  await idx.persist(true)
  const bytes = await IndexFile.readIfExists(idx.path)
  t.equal(bytes?.length, 45 * 8)
  const back = new OffsetIndex(idx.path, 100n, 1024, bytes)
  t.same(back.lookup(555n), { offset: 550n, position: 45000 })
  t.equal(back.maxEntries, 128)
  await idx.close()
})

t.test('time index keeps rising timestamps and looks up at or below', async t => {
  const idx = new TimeIndex(join(t.testdir(), 'x.timeindex'), 0n, 1200)
  t.same(idx.lookup(5n), { timestamp: -1n, offset: 0n })
  idx.maybeAppend(100n, 3n)
  idx.maybeAppend(100n, 5n)
  idx.maybeAppend(90n, 6n)
  idx.maybeAppend(200n, 9n)
  t.equal(idx.entries, 2, 'non-increasing timestamps are skipped')
  t.same(idx.lookup(99n), { timestamp: -1n, offset: 0n })
  t.same(idx.lookup(150n), { timestamp: 100n, offset: 3n })
  t.same(idx.lookup(1000n), { timestamp: 200n, offset: 9n })
  idx.truncateToOffset(9n)
  t.same(idx.lastEntry(), { timestamp: 100n, offset: 3n })
  t.ok(idx.isConsistent())
})

t.test('a full offset index rolls the segment', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: captureLogger(), segmentIndexBytes: 24, indexIntervalBytes: 0 })
  for (let i = 0; i < 12; i++) await log.append(simpleBatch(1), { leaderEpoch: 0 })
  const segs = (await readdir(dir)).filter(n => n.endsWith('.log'))
  // 24 bytes hold 3 offset entries; equal timestamps add no time entries. Each segment takes its
  // first batch unindexed plus three indexed ones, then the offset index is full.
  t.equal(segs.length, 3)
  t.equal(log.logEndOffset, 12n)
  await log.close()
})

t.test('a full time index rolls the segment too', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: captureLogger(), segmentIndexBytes: 16, indexIntervalBytes: 0 })
  for (let i = 0; i < 12; i++) await log.append(simpleBatch(1, BigInt(1000 + i)), { leaderEpoch: 0 })
  // 16 bytes hold one time entry: the second batch of each segment fills it.
  t.equal((await readdir(dir)).filter(n => n.endsWith('.log')).length, 6)
  await log.close()
})
