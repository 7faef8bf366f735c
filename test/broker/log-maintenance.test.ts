import t from 'tap'
import { readdir } from 'node:fs/promises'
import { startStorageBroker } from './log-maintenance-helper.js'
import { createTopic, fetchOne, listOffsets, produce, batch, values } from '../helpers/kafka.js'
import { logMaintenanceOptions } from '../../src/broker/log-maintenance.js'
import { testConfig } from '../helpers/broker.js'

const DAY = 24 * 3600 * 1000

t.test('retention.ms through the broker: old segments go at the retention check, earliest follows', async t => {
  let now = 1_700_000_000_000
  const sb = await startStorageBroker(t, { maintenance: { clock: () => now } })
  const c = await sb.client()
  await createTopic(c, { name: 'ret', configs: { 'segment.bytes': '1048576', 'retention.ms': String(DAY), 'file.delete.delay.ms': '0', 'segment.ms': '1000' } })
  sb.maintenance.applyConfigs()
  const send = async (ts: number, v: string): Promise<void> => {
    const r = await produce(c, { topic: 'ret', records: await batch([{ key: null, value: Buffer.from(v), timestamp: BigInt(ts) }]) })
    t.equal(r.errorCode, 0)
  }
  await send(now - 3 * DAY, 'old1')
  await send(now - 3 * DAY + 2000, 'old2') // segment.ms=1000: rolls
  await send(now, 'new') // rolls again
  t.equal(sb.broker.partition('ret', 0)!.log.segmentSummaries().length, 3)
  t.equal(await sb.maintenance.runRetention(), 2)
  const [earliest] = await listOffsets(c, 'ret', [{ partitionIndex: 0, timestamp: -2n }])
  t.equal(earliest.offset, 2n)
  t.same(values((await fetchOne(c, { topic: 'ret', offset: 2n })).batches), ['new'])
  t.equal((await fetchOne(c, { topic: 'ret', offset: 0n })).partition.errorCode, 1)
  now += 2 * DAY
  t.equal(await sb.maintenance.runRetention(), 1, 'the expired active segment goes too')
  t.equal(sb.broker.partition('ret', 0)!.logStartOffset, 3n)
})

t.test('compaction through the broker: latest value per key, tombstones past delete.retention.ms dropped', async t => {
  const now = 1_700_000_000_000
  const sb = await startStorageBroker(t, { maintenance: { clock: () => now } })
  const c = await sb.client()
  await createTopic(c, { name: 'cmp', configs: { 'cleanup.policy': 'compact', 'segment.ms': '1', 'delete.retention.ms': '0', 'file.delete.delay.ms': '0' } })
  sb.maintenance.applyConfigs()
  const kv = (k: string, v: string | null, ts: number) => ({ key: Buffer.from(k), value: v === null ? null : Buffer.from(v), timestamp: BigInt(ts) })
  let ts = now - 100_000
  for (const [k, v] of [['a', '1'], ['b', '1'], ['a', '2'], ['b', null], ['c', '1'], ['end', 'x']] as Array<[string, string | null]>) {
    const r = await produce(c, { topic: 'cmp', records: await batch([kv(k, v, ts)]) })
    t.equal(r.errorCode, 0)
    ts += 10 // segment.ms=1: every batch rolls a new segment
  }
  const done = await sb.maintenance.runCleaner()
  t.equal(done.length, 1)
  const got: string[] = []
  // A fetch answers from one segment at a time, as Kafka's does.
  for (let at = 0n; at < 6n;) {
    const read = await fetchOne(c, { topic: 'cmp', offset: at })
    got.push(...read.batches.flatMap(b => b.records.map(r => `${r.key?.toString()}=${r.value?.toString() ?? 'null'}`)))
    const last = read.batches[read.batches.length - 1]!
    at = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n
  }
  // The tombstone for b survives the first cleaning (its horizon is set then), the old values do not.
  t.same(got, ['a=2', 'b=null', 'c=1', 'end=x'])
  t.same(await sb.maintenance.runCleaner(), [], 'nothing dirty enough now')
})

t.test('durability fsync: every log shares one group commit; appends are acknowledged after it', async t => {
  const sb = await startStorageBroker(t, { maintenance: { durability: 'fsync' } })
  const c = await sb.client()
  await createTopic(c, { name: 'dur', numPartitions: 4 })
  const gc = sb.maintenance.groupCommit!
  t.ok(gc)
  const results = await Promise.all(Array.from({ length: 40 }, async (_, i) => await produce(c, { topic: 'dur', partition: i % 4, records: await batch([{ key: null, value: Buffer.from(`v${i}`) }]) })))
  t.ok(results.every(r => r.errorCode === 0))
  t.equal(gc.stats.commits, 40)
  t.ok(gc.stats.rounds <= 40)
  for (let p = 0; p < 4; p++) t.equal(sb.broker.partition('dur', p)!.highWatermark, 10n)
})

t.test('flush.ms is honoured by the flush scheduler pass', async t => {
  let now = 10_000
  const sb = await startStorageBroker(t, { maintenance: { clock: () => now } })
  const c = await sb.client()
  await createTopic(c, { name: 'fl', configs: { 'flush.ms': '5000' } })
  await produce(c, { topic: 'fl', records: await batch([{ key: null, value: Buffer.from('x') }]) })
  const log = sb.broker.partition('fl', 0)!.log
  now = log.lastFlushTime + 4999
  t.equal(await sb.maintenance.runFlush(), 0)
  now = log.lastFlushTime + 5000
  t.equal(await sb.maintenance.runFlush(), 1)
  t.equal(log.unflushedMessages, 0n)
  t.ok((await readdir(log.dir)).includes('recovery-point'))
})

t.test('options from the broker config fall back to Kafka defaults for configs not yet defined', async t => {
  const o = logMaintenanceOptions(testConfig(t.testdir()))
  t.equal(o.retentionCheckIntervalMs, 300000)
  t.equal(o.cleanerBackoffMs, 15000)
  t.equal(o.durability, 'os')
  t.equal(o.cleanerEnable, true)
  t.equal(o.maxCleanerMapEntries, Math.floor(134217728 / 24 * 0.9))
})
