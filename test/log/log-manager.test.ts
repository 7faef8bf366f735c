import t from 'tap'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LogManager, parsePartitionDirName } from '../../src/log/log-manager.js'
import { captureLogger, simpleBatch } from './batch-helper.js'

t.test('parsePartitionDirName splits at the last dash', async t => {
  t.same(parsePartitionDirName('orders-3'), { topic: 'orders', partition: 3 })
  t.same(parsePartitionDirName('my-topic.v2-12'), { topic: 'my-topic.v2', partition: 12 })
  t.same(parsePartitionDirName('__cluster_metadata-0'), { topic: '__cluster_metadata', partition: 0 })
  t.equal(parsePartitionDirName('.hidden-0'), undefined)
  t.equal(parsePartitionDirName('noPartition'), undefined)
  t.equal(parsePartitionDirName('-1'), undefined)
  t.equal(parsePartitionDirName('topic-x'), undefined)
  t.equal(parsePartitionDirName('topic-99999999999'), undefined)
})

t.test('getOrCreate, loadAll, deletePartition, closeAll', async t => {
  const dataDir = t.testdir()
  const defaults = { logger: captureLogger(), segmentBytes: 500 }
  const mgr = new LogManager(dataDir, defaults)
  const [a, b] = await Promise.all([mgr.getOrCreate('a-b.c', 0), mgr.getOrCreate('a-b.c', 0)])
  t.equal(a, b, 'concurrent opens share one log')
  t.equal(a.dir, join(dataDir, 'a-b.c-0'))
  await a.append(simpleBatch(3), { leaderEpoch: 0 })
  const other = await mgr.getOrCreate('other', 2)
  await other.append(simpleBatch(1), { leaderEpoch: 0 })
  t.equal(mgr.get('other', 2), other)
  t.equal(mgr.get('other', 1), undefined)
  await mgr.closeAll()
  t.equal(mgr.get('a-b.c', 0), undefined)

  await mkdir(join(dataDir, '.trash-0'))
  await mkdir(join(dataDir, 'not_a_partition'))
  await writeFile(join(dataDir, 'file-0'), '')
  const again = new LogManager(dataDir, defaults)
  await again.loadAll()
  t.same([...again.all().keys()].sort(), ['a-b.c-0', 'other-2'])
  t.equal(again.get('a-b.c', 0)?.logEndOffset, 3n)
  await again.deletePartition('other', 2)
  t.equal(again.get('other', 2), undefined)
  t.notOk((await readdir(dataDir)).includes('other-2'))
  await again.closeAll()
})

t.test('loadAll on a missing data dir does nothing', async t => {
  const mgr = new LogManager(join(t.testdir(), 'absent'))
  await mgr.loadAll()
  t.equal(mgr.all().size, 0)
})
