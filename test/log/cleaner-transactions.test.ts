import t from 'tap'
import { PartitionLog } from '../../src/log/partition-log.js'
import { cleanLog, cleanableRange, type CleanerConfig } from '../../src/log/cleaner.js'
import { encodeMarkerBatch } from '../../src/log/txn-marker.js'
import { Partition } from '../../src/broker/partition.js'
import { decodeBatches, encodeBatch, type DecodedBatch } from '../../src/wire/records.js'
import { DELETE_HORIZON_MASK } from '../../src/wire/record-batch.js'
import { captureLogger } from './batch-helper.js'

const quiet = captureLogger()
const config = (c: Partial<CleanerConfig> = {}): CleanerConfig => ({
  minCleanableRatio: 0.5, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER, deleteRetentionMs: 1000,
  fileDeleteDelayMs: 0, maxMapEntries: 1_000_000, now: 1_000_000_000, ...c
})

type Rec = [key: string, value: string | null]
const seqs = new Map<bigint, number>()
async function data (recs: Rec[], producerId?: bigint): Promise<Buffer> {
  const baseSequence = producerId === undefined ? -1 : (seqs.get(producerId) ?? 0)
  if (producerId !== undefined) seqs.set(producerId, baseSequence + recs.length)
  return await encodeBatch({
    records: recs.map(([k, v]) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: 1000n })),
    producerId: producerId ?? -1n,
    producerEpoch: producerId === undefined ? -1 : 0,
    baseSequence,
    isTransactional: producerId !== undefined
  })
}
const marker = async (producerId: bigint, commit: boolean): Promise<Buffer> => await encodeMarkerBatch({ producerId, producerEpoch: 0, coordinatorEpoch: 0, commit }, 1000n)

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

/** What a read_committed consumer keeps, using the log's aborted-transaction index as a fetch reports it. */
function committedView (log: PartitionLog, batches: DecodedBatch[]): string[] {
  const pending = log.txnIndex.collect(0n, log.logEndOffset).sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  const aborted = new Set<bigint>()
  const out: string[] = []
  for (const b of batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= b.baseOffset + BigInt(b.lastOffsetDelta)) aborted.add(pending.shift()!.producerId)
    if (b.isControl) { aborted.delete(b.producerId); continue }
    if (b.isTransactional && aborted.has(b.producerId)) continue
    for (const r of b.records) out.push(`${r.key!.toString()}=${r.value?.toString() ?? 'null'}`)
  }
  return out
}

const controls = (bs: DecodedBatch[]): bigint[] => bs.filter(b => b.isControl).map(b => b.baseOffset)

t.test('compaction removes aborted data (which never shadows a key), then markers with nothing left after delete.retention.ms', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  const p = new Partition('t', 'id', 0, log, 0)
  const roll = async (): Promise<void> => {
    log.configure({ segmentBytes: 61 })
    await p.append(await data([['roll', 'x']]), undefined)
    log.configure({ segmentBytes: 1 << 20 })
  }
  await p.append(await data([['a', '1'], ['b', '1']], 7n), undefined) // 0-1
  await p.append(await marker(7n, true), undefined) // 2
  await p.append(await data([['a', '2']], 8n), undefined) // 3
  await p.append(await marker(8n, false), undefined) // 4
  await p.append(await data([['k', '1']], 7n), undefined) // 5
  await p.append(await marker(7n, true), undefined) // 6
  await p.append(await data([['k', '2']]), undefined) // 7: supersedes the committed k=1
  await roll() // 8
  // Later transactions of both producers, so no batch of interest is a producer's last.
  await p.append(await data([['x', '1']], 7n), undefined)
  await p.append(await marker(7n, true), undefined)
  await p.append(await data([['y', '1']], 8n), undefined)
  await p.append(await marker(8n, true), undefined)
  const before = await readAll(log)
  t.same(committedView(log, before).slice(0, 4), ['a=1', 'b=1', 'k=1', 'k=2'])

  const now = 2_000_000
  await cleanLog(log, config({ now }))
  let bs = await readAll(log)
  t.same(committedView(log, bs), ['a=1', 'b=1', 'k=2', 'roll=x', 'x=1', 'y=1'], 'the aborted a=2 is gone and did not remove the committed a=1')
  t.notOk(bs.some(b => b.records.some(r => r.value?.toString() === '2' && r.key?.toString() === 'a')), 'aborted record removed from the log')
  t.same(controls(bs), [2n, 4n, 6n, 10n, 12n], 'markers stay on the first pass (the abort\'s data was seen in it)')
  const horizon = (o: bigint): boolean => ((bs.find(b => b.baseOffset === o)!.attributes) & DELETE_HORIZON_MASK) !== 0
  t.notOk(horizon(2n), 'a commit marker with data left gets no horizon')
  t.notOk(horizon(6n), 'nor one whose data this pass removed (as Kafka, it was read in the pass)')
  t.notOk(horizon(4n), 'nor the abort marker seen with its data')
  t.same(log.txnIndex.collect(0n, 100n).map(e => e.firstOffset), [3n], 'its index entry stays with it')

  await p.append(await data([['z', '1']]), undefined)
  await roll()
  await cleanLog(log, config({ now: now + 10 }), true)
  bs = await readAll(log)
  t.ok(horizon(4n), 'next pass: the abort marker with nothing left gets its horizon')
  t.ok(horizon(6n), 'and so does the commit marker with nothing left')
  t.notOk(horizon(2n), 'not the one whose data remains')
  t.same(controls(bs), [2n, 4n, 6n, 10n, 12n], 'nothing removed before the horizon')

  await p.append(await data([['z', '2']]), undefined)
  await roll()
  await cleanLog(log, config({ now: now + 2000 }), true)
  bs = await readAll(log)
  t.same(controls(bs), [2n, 10n, 12n], 'past delete.retention.ms both markers with nothing left are removed')
  t.same(log.txnIndex.collect(0n, 100n), [], 'and the aborted transaction leaves the index')
  t.same(committedView(log, bs).filter(v => !v.startsWith('roll')), ['a=1', 'b=1', 'k=2', 'x=1', 'y=1', 'z=2'])
  await log.close()

  const reopened = await PartitionLog.open(log.dir, { logger: quiet, segmentBytes: 1 << 20 })
  t.same(reopened.txnIndex.collect(0n, 100n), [], 'the index files agree after a restart')
  t.same(committedView(reopened, await readAll(reopened)).filter(v => !v.startsWith('roll')), ['a=1', 'b=1', 'k=2', 'x=1', 'y=1', 'z=2'])
  await reopened.close()
})

t.test('an open transaction bounds what may be cleaned', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, segmentBytes: 1 << 20 })
  const p = new Partition('t', 'id', 0, log, 0)
  await p.append(await data([['a', '1']]), undefined)
  await p.append(await data([['a', '2']], 9n), undefined) // 1: never decided
  log.configure({ segmentBytes: 61 })
  await p.append(await data([['a', '3']]), undefined)
  await p.append(await data([['b', '3']]), undefined)
  log.configure({ segmentBytes: 1 << 20 })
  const r = await cleanableRange(log, config())
  t.ok(r.firstUncleanableOffset <= 1n, `cleaning stops before the open transaction (first uncleanable ${r.firstUncleanableOffset})`)
  await log.close()
})
