import t from 'tap'
import { readFile, rm, stat, truncate, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LeaderEpochCache, CorruptEpochCheckpointError, encodeEpochCheckpoint, parseEpochCheckpoint, LEADER_EPOCH_CHECKPOINT_FILE } from '../../src/log/leader-epoch-cache.js'
import { PartitionLog, type LogOptions } from '../../src/log/partition-log.js'
import { captureLogger, simpleBatch } from './batch-helper.js'

const OPTS: LogOptions = { segmentBytes: 1000, indexIntervalBytes: 100 }
const entries = (c: LeaderEpochCache): Array<[number, bigint]> => c.all().map(e => [e.epoch, e.startOffset])
const file = async (dir: string): Promise<string> => await readFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), 'utf8')

function cacheOf (...list: Array<[number, bigint]>): LeaderEpochCache {
  const c = new LeaderEpochCache('/nonexistent')
  for (const [e, o] of list) c.assign(e, o)
  return c
}

t.test('endOffsetFor: every case of Kafka\'s LeaderEpochFileCache.endOffsetFor', async t => {
  const c = cacheOf([1, 0n], [3, 10n], [6, 25n])
  const at = (epoch: number): [number, bigint] => { const r = c.endOffsetFor(epoch, 40n); return [r.leaderEpoch, r.endOffset] }
  t.same(at(-1), [-1, -1n], 'UNDEFINED_EPOCH')
  t.same(at(6), [6, 40n], 'the latest epoch ends at the log end offset')
  t.same(at(1), [1, 10n], 'an older epoch ends where the next starts')
  t.same(at(3), [3, 25n])
  t.same(at(2), [1, 10n], 'a gap: the largest epoch below and the next higher epoch\'s start')
  t.same(at(5), [3, 25n])
  t.same(at(0), [0, 0n], 'below the earliest epoch: the requested epoch and the earliest start')
  t.same(at(7), [-1, -1n], 'above the latest epoch')
  const empty = new LeaderEpochCache('/nonexistent')
  t.same(empty.endOffsetFor(0, 5n), { leaderEpoch: -1, endOffset: -1n }, 'no history at all')
  t.same(empty.endOffsetFor(-1, 5n), { leaderEpoch: -1, endOffset: -1n })
  const below = cacheOf([4, 100n], [5, 120n])
  t.same(below.endOffsetFor(2, 130n), { leaderEpoch: 2, endOffset: 100n }, 'after retention removed the older epochs')
  t.equal(c.epochForOffset(9n), 1)
  t.equal(c.epochForOffset(10n), 3)
  t.equal(c.epochForOffset(1000n), 6)
  t.equal(cacheOf([2, 5n]).epochForOffset(4n), -1)
})

t.test('assign keeps entries rising in epoch and offset', async t => {
  const logger = captureLogger()
  const c = new LeaderEpochCache('/nonexistent', logger)
  t.equal(c.latestEpoch, -1)
  t.ok(c.assign(2, 0n))
  t.notOk(c.assign(2, 5n), 'the same epoch later changes nothing')
  t.equal(c.latestEpoch, 2)
  t.ok(c.assign(4, 10n))
  t.ok(c.assign(4, 8n), 'the same epoch earlier replaces its start')
  t.same(entries(c), [[2, 0n], [4, 8n]])
  t.equal(logger.lines.length, 1, 'moving an epoch\'s start is logged, as Kafka logs it')
  t.ok(c.assign(5, 20n))
  t.ok(c.assign(3, 9n), 'a lower epoch truncates the entries it contradicts')
  t.same(entries(c), [[2, 0n], [3, 9n]])
  t.equal(c.latestEpoch, 3)
  t.equal(logger.lines.filter(l => l.level === 'warn').length, 2)
  t.ok(c.assign(6, 9n), 'a new epoch at an existing start offset replaces the epoch that wrote nothing')
  t.same(entries(c), [[2, 0n], [6, 9n]])
  t.equal(logger.lines.length, 2, 'which is expected and not logged')
  t.throws(() => c.assign(-1, 0n), RangeError)
  t.throws(() => c.assign(1, -1n), RangeError)
})

t.test('truncation from both ends', async t => {
  const c = cacheOf([1, 0n], [3, 10n], [6, 25n])
  t.notOk(c.truncateFromEnd(26n), 'the latest epoch starts before the new end')
  t.notOk(c.truncateFromEnd(-1n))
  t.ok(c.truncateFromEnd(25n), 'an epoch starting at the new end goes')
  t.same(entries(c), [[1, 0n], [3, 10n]])
  t.equal(c.latestEpoch, 3)
  t.ok(c.truncateFromEnd(5n))
  t.same(entries(c), [[1, 0n]])

  const s = cacheOf([1, 0n], [3, 10n], [6, 25n])
  t.notOk(s.truncateFromStart(0n), 'an entry exactly at the start offset stays')
  t.ok(s.truncateFromStart(12n), 'the epoch holding the start offset now starts there')
  t.same(entries(s), [[3, 12n], [6, 25n]])
  t.ok(s.truncateFromStart(25n))
  t.same(entries(s), [[6, 25n]])
  t.ok(s.truncateFromStart(30n))
  t.same(entries(s), [[6, 30n]])
  t.equal(s.endOffsetFor(3, 40n).endOffset, 30n)
  const e = new LeaderEpochCache('/nonexistent')
  t.notOk(e.truncateFromStart(5n))
  t.notOk(e.truncateFromEnd(5n))
})

t.test('checkpoint format: Kafka\'s CheckpointFile lines', async t => {
  const list = [{ epoch: 0, startOffset: 0n }, { epoch: 2, startOffset: 17n }, { epoch: 2147483647, startOffset: 9223372036854775807n }]
  const text = encodeEpochCheckpoint(list)
  t.equal(text, '0\n3\n0 0\n2 17\n2147483647 9223372036854775807\n')
  t.same(parseEpochCheckpoint(text), list)
  t.same(parseEpochCheckpoint('0\r\n1\r\n4  12\r\n'), [{ epoch: 4, startOffset: 12n }], 'CRLF lines, runs of spaces')
  t.same(parseEpochCheckpoint(''), [], 'an empty file holds nothing')
  t.same(parseEpochCheckpoint('0\n'), [], 'a version line alone holds nothing')
  t.same(parseEpochCheckpoint('0\n0\n'), [])
  for (const bad of ['1\n0\n', 'x\n0\n', '0\n2\n0 0\n', '0\n1\n0 0\n1 5\n', '0\n1\n0\n', '0\n1\n0 0 0\n', '0\n1\n0 0\n\n', '0\n1\n 0 0\n',
    '0\n1\n2147483648 0\n', '0\n1\n0 9223372036854775808\n', '0\n1\na 0\n', '0\nz\n']) {
    t.throws(() => parseEpochCheckpoint(bad), CorruptEpochCheckpointError, JSON.stringify(bad))
  }
})

t.test('file round trip, and what a load drops', async t => {
  const dir = t.testdir()
  const c = new LeaderEpochCache(dir)
  t.notOk(await c.load(), 'no file yet')
  c.assign(1, 0n)
  c.assign(4, 30n)
  t.ok(c.dirty)
  await c.persist()
  t.notOk(c.dirty)
  t.equal(await file(dir), '0\n2\n1 0\n4 30\n')
  t.notOk((await readdir(dir)).some(n => n.endsWith('.tmp')), 'the temp file was renamed into place')
  const again = new LeaderEpochCache(dir)
  t.ok(await again.load())
  t.same(entries(again), [[1, 0n], [4, 30n]])
  t.equal(again.latestEpoch, 4)
  t.notOk(again.dirty, 'a clean load needs no rewrite')
  await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), '0\n3\n1 0\n5 40\n3 20\n')
  const odd = new LeaderEpochCache(dir, captureLogger())
  await odd.load()
  t.same(entries(odd), [[1, 0n], [3, 20n]], 'entries that break monotonicity are dropped as Kafka\'s assign drops them')
  t.ok(odd.dirty)
  await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), '0\n1\n-3 0\n')
  await t.rejects(new LeaderEpochCache(dir).load(), CorruptEpochCheckpointError, 'a negative epoch is corruption')
})

t.test('appends with different partitionLeaderEpoch values build the history and the file', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.equal(await file(dir), '0\n0\n', 'a new log writes an empty checkpoint')
  await log.append(simpleBatch(3), { leaderEpoch: 0 }) // 0-2
  await log.append(simpleBatch(2), { leaderEpoch: 0 }) // 3-4
  await log.append(simpleBatch(2), { leaderEpoch: 2 }) // 5-6
  await log.append(simpleBatch(1), { leaderEpoch: -1 }) // 7: no epoch
  await log.append(simpleBatch(4), { leaderEpoch: 2 }) // 8-11
  await log.append(simpleBatch(3), { leaderEpoch: 5 }) // 12-14
  t.same(entries(log.leaderEpochCache), [[0, 0n], [2, 5n], [5, 12n]])
  t.equal(await file(dir), '0\n3\n0 0\n2 5\n5 12\n', 'written before the batches that start an epoch')
  const c = log.leaderEpochCache
  t.same(c.endOffsetFor(0, log.logEndOffset), { leaderEpoch: 0, endOffset: 5n })
  t.same(c.endOffsetFor(3, log.logEndOffset), { leaderEpoch: 2, endOffset: 12n })
  t.same(c.endOffsetFor(5, log.logEndOffset), { leaderEpoch: 5, endOffset: 15n })
  // Concurrent appends: the epoch is assigned with the offsets, in call order.
  const a = log.append(simpleBatch(1), { leaderEpoch: 6 })
  const b = log.append(simpleBatch(1), { leaderEpoch: 7 })
  t.same(entries(c).slice(-2), [[6, 15n], [7, 16n]])
  await Promise.all([a, b])
  await log.close()
  const again = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.same(entries(again.leaderEpochCache), [[0, 0n], [2, 5n], [5, 12n], [6, 15n], [7, 16n]], 'the history survives a restart')
  await again.close()
})

t.test('truncation moves the history: producer-side truncateTo, DeleteRecords, retention, full truncation', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  for (let i = 0; i < 10; i++) await log.append(simpleBatch(2), { leaderEpoch: i < 4 ? 1 : i < 7 ? 3 : 4 }) // 1@0, 3@8, 4@14
  t.same(entries(log.leaderEpochCache), [[1, 0n], [3, 8n], [4, 14n]])
  await log.truncateTo(14n)
  t.same(entries(log.leaderEpochCache), [[1, 0n], [3, 8n]], 'the epoch that started at the new end goes')
  t.equal(await file(dir), '0\n2\n1 0\n3 8\n')
  // An append right after a truncation (before its queued work ran) sees the truncated history.
  const tr = log.truncateTo(10n)
  const ap = log.append(simpleBatch(2), { leaderEpoch: 3 })
  await Promise.all([tr, ap])
  t.same(entries(log.leaderEpochCache), [[1, 0n], [3, 8n]])
  await log.truncateTo(8n)
  await log.append(simpleBatch(2), { leaderEpoch: 6 }) // 8-9
  t.same(entries(log.leaderEpochCache), [[1, 0n], [6, 8n]])

  await log.append(simpleBatch(2), { leaderEpoch: 6 }) // 10-11
  t.equal(await log.incrementLogStartOffset(3n), 3n)
  t.same(entries(log.leaderEpochCache), [[1, 3n], [6, 8n]], 'DeleteRecords: the epoch holding the new start starts there')
  t.equal(await file(dir), '0\n2\n1 3\n6 8\n')
  await log.deleteRecordsBefore(9n)
  t.same(entries(log.leaderEpochCache), [[6, 9n]])
  for (let i = 0; i < 20; i++) await log.append(simpleBatch(2, 1000n, 40), { leaderEpoch: 6 })
  const removed = await log.deleteOldSegments({ deleteEnabled: true, retentionMs: -1, retentionBytes: 1000, fileDeleteDelayMs: 0 })
  t.ok(removed > 0)
  t.same(entries(log.leaderEpochCache), [[6, log.logStartOffset]], 'retention moves the first entry with the log start offset')
  t.equal(await file(dir), `0\n1\n6 ${log.logStartOffset}\n`)
  await log.truncateTo(log.logStartOffset - 1n)
  t.same(entries(log.leaderEpochCache), [], 'truncating below the log start empties the history')
  t.equal(await file(dir), '0\n0\n')
  await log.close()
})

t.test('the history is rebuilt from the batches when the file is missing or corrupt', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  for (let i = 0; i < 30; i++) await log.append(simpleBatch(2), { leaderEpoch: 2 + Math.floor(i / 7) }) // several segments
  const expected = entries(log.leaderEpochCache)
  t.same(expected, [[2, 0n], [3, 14n], [4, 28n], [5, 42n], [6, 56n]])
  t.ok(log.segmentSummaries().length > 2)
  await log.close()

  await rm(join(dir, LEADER_EPOCH_CHECKPOINT_FILE))
  const missing = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.same(entries(missing.leaderEpochCache), expected, 'missing: rebuilt from every segment')
  t.equal(await file(dir), encodeEpochCheckpoint(missing.leaderEpochCache.all()), 'and written back')
  await missing.close()

  for (const junk of ['garbage', '0\n7\n2 0\n', '9\n0\n']) {
    await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), junk)
    const logger = captureLogger()
    const corrupt = await PartitionLog.open(dir, { ...OPTS, logger })
    t.same(entries(corrupt.leaderEpochCache), expected, `corrupt ${JSON.stringify(junk)}: rebuilt`)
    t.ok(logger.lines.some(l => l.level === 'warn' && /leader epoch checkpoint is corrupt/.test(l.msg ?? '')), 'and logged')
    await corrupt.close()
  }
  t.equal(await file(dir), encodeEpochCheckpoint(expected.map(([epoch, startOffset]) => ({ epoch, startOffset }))))
})

t.test('unclean start: a torn tail takes its epoch along; a stale checkpoint is completed from the recovered batches', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  for (let i = 0; i < 5; i++) await log.append(simpleBatch(2), { leaderEpoch: 1 }) // 0-9
  await log.flush()
  await log.append(simpleBatch(2), { leaderEpoch: 2 }) // 10-11
  await log.append(simpleBatch(2), { leaderEpoch: 3 }) // 12-13
  t.same(entries(log.leaderEpochCache), [[1, 0n], [2, 10n], [3, 12n]])
  await log.close()
  await rm(join(dir, '.clean-shutdown'))
  const segs = (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
  const last = join(dir, segs[segs.length - 1]!)
  await truncate(last, (await stat(last)).size - 5)
  const torn = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.equal(torn.logEndOffset, 12n)
  t.same(entries(torn.leaderEpochCache), [[1, 0n], [2, 10n]], 'the epoch of the torn batch is gone')
  t.equal(await file(dir), '0\n2\n1 0\n2 10\n')
  await torn.append(simpleBatch(1), { leaderEpoch: 2 })
  await torn.close()

  // The checkpoint write of epoch 2 was lost: recovery finds it in the unflushed batches.
  await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), '0\n1\n1 0\n')
  await rm(join(dir, '.clean-shutdown'))
  const stale = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.same(entries(stale.leaderEpochCache), [[1, 0n], [2, 10n]])
  await stale.close()

  // A checkpoint that claims an epoch the recovered log never reached (and one past the end).
  await writeFile(join(dir, LEADER_EPOCH_CHECKPOINT_FILE), '0\n3\n1 0\n2 10\n9 11\n')
  await rm(join(dir, '.clean-shutdown'))
  const ahead = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.same(entries(ahead.leaderEpochCache), [[1, 0n], [2, 10n]])
  await ahead.close()
})

t.test('assignEpochStartOffset: a new leader epoch starts at the log end before it writes', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  log.assignEpochStartOffset(0)
  t.same(entries(log.leaderEpochCache), [[0, 0n]])
  t.same(log.leaderEpochCache.endOffsetFor(0, log.logEndOffset), { leaderEpoch: 0, endOffset: 0n })
  await log.append(simpleBatch(3), { leaderEpoch: 0 })
  log.assignEpochStartOffset(0)
  log.assignEpochStartOffset(-1)
  t.same(entries(log.leaderEpochCache), [[0, 0n]], 'the current or an undefined epoch adds nothing')
  const pending = log.append(simpleBatch(2), { leaderEpoch: 0 })
  log.assignEpochStartOffset(4)
  t.same(entries(log.leaderEpochCache), [[0, 0n], [4, 5n]], 'after appends already handed offsets')
  await pending
  await log.flush()
  t.equal(await file(dir), '0\n2\n0 0\n4 5\n')
  t.same(log.leaderEpochCache.endOffsetFor(2, log.logEndOffset), { leaderEpoch: 0, endOffset: 5n })
  await log.append(simpleBatch(1), { leaderEpoch: 4 })
  t.same(entries(log.leaderEpochCache), [[0, 0n], [4, 5n]])
  await log.close()
})
