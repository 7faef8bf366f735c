import t from 'tap'
import { readdir } from 'node:fs/promises'
import { PartitionLog, type RetentionPolicy } from '../../src/log/partition-log.js'
import { OffsetOutOfRangeError } from '../../src/log/errors.js'
import { readOffsetCheckpoint } from '../../src/log/checkpoint.js'
import { captureLogger, parseBatches, simpleBatch } from './batch-helper.js'

const quiet = captureLogger()
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ deleteEnabled: true, retentionMs: -1, retentionBytes: -1, fileDeleteDelayMs: 0, ...p })
const settle = async (ms = 30): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Four batches of ~1 KiB per segment: segments [0..3], [4..7], [8..11] and an active one. */
async function threeFullSegments (dir: string, clock: () => number): Promise<PartitionLog> {
  const log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 4300, clock })
  for (let i = 0; i < 13; i++) await log.append(simpleBatch(1, 1000n * BigInt(i + 1), 1000), { leaderEpoch: 0 })
  return log
}

t.test('retention.ms judges each segment by its largest timestamp and moves the log start offset', async t => {
  let now = 100_000
  const dir = t.testdir()
  const log = await threeFullSegments(dir, () => now)
  t.same(log.segmentSummaries().map(s => s.baseOffset), [0n, 4n, 8n, 12n])
  // Segment 0 holds timestamps up to 4000, segment 4 up to 8000.
  now = 4000 + 5000
  t.equal(await log.deleteOldSegments(policy({ retentionMs: 5000 })), 0, 'exactly retention.ms old is kept')
  now += 1
  t.equal(await log.deleteOldSegments(policy({ retentionMs: 5000 })), 1)
  t.equal(log.logStartOffset, 4n)
  t.equal(await readOffsetCheckpoint(dir, 'log-start-offset'), 4n)
  await t.rejects(log.read(3n, 1000), OffsetOutOfRangeError)
  t.equal(parseBatches((await log.read(4n, 1 << 20)).records)[0]!.baseOffset, 4n)
  t.equal(await log.deleteOldSegments(policy({ retentionMs: -1 })), 0, 'retention.ms -1 keeps everything')
  await log.close()
})

t.test('everything expired: the active segment goes too, after rolling a new empty one', async t => {
  let now = 0
  const log = await threeFullSegments(t.testdir(), () => now)
  now = 1_000_000
  t.equal(await log.deleteOldSegments(policy({ retentionMs: 1000 })), 4)
  t.same(log.segmentSummaries(), [{ baseOffset: 13n, size: 0 }])
  t.equal(log.logStartOffset, 13n)
  t.equal(log.logEndOffset, 13n)
  t.equal(await log.deleteOldSegments(policy({ retentionMs: 1000 })), 0, 'the empty active segment is never deleted')
  const r = await log.append(simpleBatch(1), { leaderEpoch: 0 })
  t.equal(r.baseOffset, 13n)
  await log.close()
})

t.test('retention.bytes removes the oldest segments while the log stays at or above the limit', async t => {
  const log = await threeFullSegments(t.testdir(), () => 0)
  const sizes = log.segmentSummaries().map(s => s.size)
  const total = sizes.reduce((a, b) => a + b, 0)
  // Removing segment 0 leaves total - sizes[0]; with the limit just below that, segment 4 must stay.
  t.equal(await log.deleteOldSegments(policy({ retentionBytes: total - sizes[0]! - 1 })), 1)
  t.equal(log.logStartOffset, 4n)
  t.equal(await log.deleteOldSegments(policy({ retentionBytes: 0 })), 3)
  await log.close()
})

t.test('without cleanup.policy delete only segments below the log start offset go', async t => {
  const log = await threeFullSegments(t.testdir(), () => 10_000_000)
  t.equal(await log.deleteOldSegments(policy({ deleteEnabled: false, retentionMs: 1, retentionBytes: 0 })), 0)
  t.equal(await log.incrementLogStartOffset(9n), 9n)
  t.equal(log.segmentSummaries().length, 4, 'DeleteRecords leaves segment removal to the retention check')
  t.equal(await log.deleteOldSegments(policy({ deleteEnabled: false })), 2)
  t.same(log.segmentSummaries().map(s => s.baseOffset), [8n, 12n])
  t.equal(log.logStartOffset, 9n, 'the start stays inside segment 8')
  await log.close()
})

t.test('incrementLogStartOffset: beyond the high watermark is out of range, lower is a no-op, restart keeps it', async t => {
  const dir = t.testdir()
  let log = await threeFullSegments(dir, () => 0)
  await t.rejects(log.incrementLogStartOffset(14n), OffsetOutOfRangeError)
  t.equal(await log.incrementLogStartOffset(13n), 13n)
  t.equal(await log.incrementLogStartOffset(2n), 13n)
  await log.close()
  log = await PartitionLog.open(dir, { logger: quiet, segmentBytes: 4300 })
  t.equal(log.logStartOffset, 13n)
  await log.close()
})

t.test('file.delete.delay.ms: removed segments linger as .deleted files, and reads in flight finish', async t => {
  let now = 0
  const dir = t.testdir()
  const log = await threeFullSegments(dir, () => now)
  // A read that has the old segment list in hand while retention runs.
  const reading = log.read(0n, 1 << 20)
  now = 1_000_000
  t.equal(await log.deleteOldSegments(policy({ retentionMs: 1, fileDeleteDelayMs: 150 })), 4)
  t.ok(parseBatches((await reading).records).length > 0)
  const names = await readdir(dir)
  t.ok(names.includes('00000000000000000000.log.deleted'), 'renamed, not yet removed')
  t.notOk(names.includes('00000000000000000000.log'))
  await settle(400)
  t.notOk((await readdir(dir)).some(n => n.endsWith('.deleted')), 'removed after the delay')
  await log.close()
})

t.test('.deleted leftovers of a crash are removed at open', async t => {
  let now = 0
  const dir = t.testdir()
  const log = await threeFullSegments(dir, () => now)
  now = 1_000_000
  await log.deleteOldSegments(policy({ retentionMs: 1, fileDeleteDelayMs: 60_000 }))
  await log.close()
  const reopened = await PartitionLog.open(dir, { logger: quiet })
  t.notOk((await readdir(dir)).some(n => n.endsWith('.deleted')))
  t.equal(reopened.logStartOffset, 13n)
  await reopened.close()
})
