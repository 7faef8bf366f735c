// Crash simulations: the log is left without close(), then its files are damaged the way a crash or a
// bad disk would, and reopening must keep exactly the valid prefix.
import t from 'tap'
import { open, readdir, rm, stat, truncate, writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PartitionLog, type LogOptions } from '../../src/log/partition-log.js'
import { encodeBatch } from '../../src/wire/records.js'
import { captureLogger, parseBatches, simpleBatch } from './batch-helper.js'

const OPTS: LogOptions = { segmentBytes: 1000, indexIntervalBytes: 100 }

async function build (dir: string, batches: number): Promise<{ log: PartitionLog, sizes: number[] }> {
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  for (let i = 0; i < batches; i++) await log.append(simpleBatch(2, 1000n + BigInt(2 * i)), { leaderEpoch: 1 })
  const sizes = parseBatches((await log.read(0n, 1)).records).map(b => b.size)
  return { log, sizes }
}

async function segmentFiles (dir: string): Promise<string[]> {
  return (await readdir(dir)).filter(n => n.endsWith('.log')).sort()
}

async function readAll (log: PartitionLog): Promise<bigint[]> {
  const bases: bigint[] = []
  let at = log.logStartOffset
  while (at < log.logEndOffset) {
    const batches = parseBatches((await log.read(at, 1 << 20)).records)
    if (batches.length === 0) break
    for (const b of batches) bases.push(b.baseOffset)
    at = batches[batches.length - 1]!.lastOffset + 1n
  }
  return bases
}

/** Drops the handles of a log without flushing or writing the clean-shutdown marker. */
async function crash (log: PartitionLog): Promise<void> {
  // Closing then removing the marker leaves exactly what an unclean stop leaves: data and indexes
  // on disk, no marker (the page cache survives a process crash).
  await log.close()
  await rm(join(log.dir, '.clean-shutdown'))
}

t.test('torn tail: truncated mid-batch recovers to the last whole batch', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  await crash(log)
  const segs = await segmentFiles(dir)
  const last = join(dir, segs[segs.length - 1]!)
  const size = (await stat(last)).size
  await truncate(last, size - 20)
  const logger = captureLogger()
  const again = await PartitionLog.open(dir, { ...OPTS, logger })
  t.equal(again.logEndOffset, 58n)
  const warn = logger.lines.find(l => l.level === 'warn')
  t.ok(warn, 'a warning is logged')
  t.match(warn!.obj, { truncatedBytes: Number, position: Number })
  t.equal((warn!.obj as { position: number }).position + (warn!.obj as { truncatedBytes: number }).truncatedBytes, size - 20)
  t.same(await readAll(again), Array.from({ length: 29 }, (_, i) => BigInt(2 * i)))
  t.equal((await again.append(simpleBatch(1), { leaderEpoch: 2 })).baseOffset, 58n)
  await again.close()
})

t.test('a corrupt CRC in the tail truncates from that batch on', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  await crash(log)
  const segs = await segmentFiles(dir)
  const last = join(dir, segs[segs.length - 1]!)
  const base = BigInt(segs[segs.length - 1]!.slice(0, 20))
  const bytes = await readFile(last)
  const batches = parseBatches(bytes)
  t.ok(batches.length >= 3)
  // Flip a byte inside the records of the second batch of the active segment.
  const at = batches[0]!.size + 70
  bytes[at] = bytes[at]! ^ 0xff
  await writeFile(last, bytes)
  const logger = captureLogger()
  const again = await PartitionLog.open(dir, { ...OPTS, logger })
  t.equal(again.logEndOffset, base + 2n)
  t.match(logger.lines.find(l => l.level === 'warn')?.obj, { problem: /CRC/, position: batches[0]!.size })
  t.same((await readAll(again)).slice(-2), [base - 2n, base])
  await again.close()
})

t.test('corruption in an older segment drops everything after it (unflushed data)', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  await crash(log)
  await rm(join(dir, 'recovery-point'), { force: true })
  const segs = await segmentFiles(dir)
  t.ok(segs.length >= 3)
  const second = join(dir, segs[1]!)
  const base = BigInt(segs[1]!.slice(0, 20))
  // Inside the records of the segment's second batch, where the CRC covers it (baseOffset is not).
  const [first] = parseBatches(await readFile(second))
  const fh = await open(second, 'r+')
  await fh.write(Buffer.from([0xde, 0xad]), 0, 2, first!.size + 70)
  await fh.close()
  const again = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.same(await segmentFiles(dir), segs.slice(0, 2))
  t.equal(again.logEndOffset, base + 2n)
  const all = await readAll(again)
  t.same(all, Array.from({ length: all.length }, (_, i) => BigInt(2 * i)), 'the valid prefix is intact')
  await again.close()
})

t.test('segments below the recovery point are trusted, not rescanned', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  await log.flush()
  await crash(log)
  const segs = await segmentFiles(dir)
  // Damage inside a flushed, older segment goes unnoticed at open, as in Kafka.
  const fh = await open(join(dir, segs[0]!), 'r+')
  await fh.write(Buffer.from([0xde, 0xad]), 0, 2, 100)
  await fh.close()
  const logger = captureLogger()
  const again = await PartitionLog.open(dir, { ...OPTS, logger })
  t.equal(again.logEndOffset, 60n)
  t.notOk(logger.lines.some(l => l.level === 'warn'))
  await again.close()
})

t.test('missing index files are rebuilt', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  const before = await readAll(log)
  await crash(log)
  for (const n of await readdir(dir)) if (n.endsWith('.index') || n.endsWith('.timeindex')) await rm(join(dir, n))
  const again = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.equal(again.logEndOffset, 60n)
  t.same(await readAll(again), before)
  t.same(await again.offsetForTimestamp(1031n), { offset: 31n, timestamp: 1031n, leaderEpoch: 1 })
  await again.close()
  const names = await readdir(dir)
  t.ok(names.some(n => n.endsWith('.index')) && names.some(n => n.endsWith('.timeindex')), 'indexes written again')
})

t.test('after a clean shutdown, damaged or missing indexes are detected and rebuilt', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 30)
  const before = await readAll(log)
  await log.close()
  const segs = await segmentFiles(dir)
  const idx = join(dir, segs[segs.length - 1]!.replace('.log', '.index'))
  const firstIdx = join(dir, segs[0]!.replace('.log', '.index'))
  t.ok((await stat(firstIdx)).size > 0, 'the index has entries')
  await writeFile(firstIdx, Buffer.from([0, 0, 0, 1, 0, 0, 0, 7]))
  await rm(idx)
  await rm(join(dir, segs[1]!.replace('.log', '.timeindex')))
  const logger = captureLogger()
  const again = await PartitionLog.open(dir, { ...OPTS, logger })
  t.equal(again.logEndOffset, 60n)
  t.same(await readAll(again), before)
  for (let o = 0n; o < 60n; o += 5n) {
    const [b] = parseBatches((await again.read(o, 1)).records)
    t.ok(b!.baseOffset <= o && o <= b!.lastOffset, `offset ${o}`)
  }
  t.same(await again.offsetForTimestamp(1031n), { offset: 31n, timestamp: 1031n, leaderEpoch: 1 })
  t.ok(logger.lines.filter(l => l.level === 'warn').length >= 2, 'each rebuild is logged')
  await again.close()
})

t.test('garbage after the last batch is cut off', async t => {
  const dir = t.testdir()
  const { log } = await build(dir, 5)
  await crash(log)
  const f = join(dir, '00000000000000000000.log')
  const good = (await stat(f)).size
  await writeFile(f, Buffer.concat([await readFile(f), Buffer.alloc(500)]))
  const again = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.equal(again.logEndOffset, 10n)
  t.equal((await stat(f)).size, good)
  await again.close()
})

t.test('a file of nothing but a torn header recovers to empty', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, '00000000000000000000.log'), Buffer.alloc(30, 1))
  const again = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  t.equal(again.logEndOffset, 0n)
  t.equal(again.sizeInBytes(), 0)
  t.equal((await again.append(simpleBatch(1), { leaderEpoch: 0 })).baseOffset, 0n)
  await again.close()
})

t.test('stray files are cleaned up at open', async t => {
  const dir = t.testdir()
  await writeFile(join(dir, '00000000000000000042.index'), Buffer.alloc(8))
  await writeFile(join(dir, 'log-start-offset.tmp'), 'x')
  const log = await PartitionLog.open(dir, { ...OPTS, logger: captureLogger() })
  const names = await readdir(dir)
  t.notOk(names.includes('00000000000000000042.index'))
  t.notOk(names.includes('log-start-offset.tmp'))
  await log.close()
})

t.test('timestamp lookups decode compressed batches', async t => {
  const log = await PartitionLog.open(t.testdir(), { logger: captureLogger() })
  const gz = await encodeBatch({ compression: 1, records: [{ timestamp: 500n, value: Buffer.from('a') }, { timestamp: 900n }, { timestamp: 100n }, { timestamp: 950n }] })
  await log.append(simpleBatch(2, 10n), { leaderEpoch: 0 })
  await log.append(gz, { leaderEpoch: 4 })
  t.same(await log.offsetForTimestamp(600n), { offset: 3n, timestamp: 900n, leaderEpoch: 4 })
  t.same(await log.maxTimestampOffset(), { offset: 5n, timestamp: 950n, leaderEpoch: 4 })
  await log.close()
})

t.test('a real crash: the process stops without close', async t => {
  const dir = t.testdir()
  const opts = { ...OPTS, logger: captureLogger() }
  const first = await PartitionLog.open(dir, opts)
  for (let i = 0; i < 25; i++) await first.append(simpleBatch(2, 1000n + BigInt(2 * i)), { leaderEpoch: 1 })
  t.notOk((await readdir(dir)).includes('.clean-shutdown'))
  const again = await PartitionLog.open(dir, opts)
  t.equal(again.logEndOffset, 50n)
  t.same(await readAll(again), Array.from({ length: 25 }, (_, i) => BigInt(2 * i)))
  t.same(await again.offsetForTimestamp(1041n), { offset: 41n, timestamp: 1041n, leaderEpoch: 1 })
  await again.close()
  // The abandoned instance only releases its handles here, after the assertions.
  t.teardown(async () => { await first.close().catch(() => {}) })
})
