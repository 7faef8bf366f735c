import t from 'tap'
import { PartitionLog } from '../../src/log/partition-log.js'
import { captureLogger, simpleBatch } from './batch-helper.js'

const quiet = captureLogger()
const DAY = 24 * 3600 * 1000

t.test('segment.ms rolls when the incoming batch is segment.ms past the first batch of the active segment', async t => {
  let now = 1_000_000
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentMs: 7 * DAY, clock: () => now })
  const t0 = 1_700_000_000_000n
  await log.append(simpleBatch(1, t0), { leaderEpoch: 0 })
  // Exactly segment.ms later is not yet "older than": Kafka compares with >.
  await log.append(simpleBatch(1, t0 + BigInt(7 * DAY)), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 1)
  // Wall-clock time does not matter while batches carry timestamps.
  now += 30 * DAY
  await log.append(simpleBatch(1, t0 + 10n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 1)
  await log.append(simpleBatch(1, t0 + BigInt(7 * DAY) + 1n), { leaderEpoch: 0 })
  t.same(log.segmentSummaries().map(s => s.baseOffset), [0n, 3n])
  // The new segment's clock starts at its own first batch.
  await log.append(simpleBatch(1, t0 + BigInt(8 * DAY)), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 2)
  await log.close()
})

t.test('segments whose first batch has no timestamp roll by the wall clock since creation', async t => {
  let now = 5_000
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentMs: 1000, clock: () => now })
  await log.append(simpleBatch(1, -1n), { leaderEpoch: 0 })
  now += 1000
  await log.append(simpleBatch(1, -1n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 1)
  now += 1
  await log.append(simpleBatch(1, -1n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 2)
  await log.close()
})

t.test('segment.jitter.ms takes a random slice, bounded by segment.ms, off each segment roll time', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentMs: 1000, segmentJitterMs: 5000, random: () => 0.5 })
  // jitter = floor(0.5 * min(5000, 1000)) = 500: rolls once 500 ms have passed.
  await log.append(simpleBatch(1, 10_000n), { leaderEpoch: 0 })
  await log.append(simpleBatch(1, 10_500n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 1)
  await log.append(simpleBatch(1, 10_501n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 2)
  await log.close()
})

t.test('an empty active segment never rolls, and a reopened segment measures from its first batch', async t => {
  const dir = t.testdir()
  let log = await PartitionLog.open(dir, { logger: quiet, segmentMs: 100 })
  await log.append(simpleBatch(1, 1000n), { leaderEpoch: 0 })
  await log.close()
  log = await PartitionLog.open(dir, { logger: quiet, segmentMs: 100 })
  await log.append(simpleBatch(1, 1050n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 1)
  await log.append(simpleBatch(1, 1101n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 2)
  // configure() changes the rule on a live log (dynamic topic config).
  log.configure({ segmentMs: 10_000 })
  await log.append(simpleBatch(1, 5000n), { leaderEpoch: 0 })
  t.equal(log.segmentSummaries().length, 2)
  t.throws(() => log.configure({ segmentMs: 0 }), RangeError)
  await log.close()
})

t.test('flush.messages fsyncs and advances the recovery point on the append path', async t => {
  const dir = t.testdir()
  const log = await PartitionLog.open(dir, { logger: quiet, flushMessages: 3 })
  await log.append(simpleBatch(2), { leaderEpoch: 0 })
  const { readOffsetCheckpoint } = await import('../../src/log/checkpoint.js')
  t.equal(await readOffsetCheckpoint(dir, 'recovery-point'), undefined)
  await log.append(simpleBatch(1), { leaderEpoch: 0 })
  t.equal(await readOffsetCheckpoint(dir, 'recovery-point'), 3n)
  await log.close()
})
