import t from 'tap'
import { join } from 'node:path'
import { PartitionLog } from '../../src/log/partition-log.js'
import { GroupCommit, type Syncable } from '../../src/log/group-commit.js'
import { captureLogger, parseBatches, simpleBatch } from './batch-helper.js'

const quiet = captureLogger()

t.test('one round covers every append that arrived before it, across logs', async t => {
  const gc = new GroupCommit()
  const dir = t.testdir()
  const logs = await Promise.all([0, 1, 2].map(async i => await PartitionLog.open(join(dir, `p${i}`), { logger: quiet, durability: gc })))
  const appends = []
  for (let i = 0; i < 30; i++) appends.push(logs[i % 3]!.append(simpleBatch(1), { leaderEpoch: 0 }))
  await Promise.all(appends)
  t.equal(gc.stats.commits, 30)
  t.ok(gc.stats.rounds < 30, `30 appends took ${gc.stats.rounds} rounds`)
  for (const l of logs) t.equal(l.logEndOffset, 10n)
  for (const l of logs) await l.close()
})

t.test('an append resolves, and becomes readable, only after its round has synced', async t => {
  let release!: () => void
  let syncing = 0
  const slow = {
    async commit (log: Syncable): Promise<void> {
      syncing++
      await new Promise<void>(resolve => { release = resolve })
      await log.syncForCommit()
    }
  }
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, durability: slow })
  let resolved = false
  const p = log.append(simpleBatch(2), { leaderEpoch: 0 }).then(r => { resolved = true; return r })
  while (syncing === 0) await new Promise(resolve => setImmediate(resolve))
  t.equal(resolved, false)
  t.equal(log.logEndOffset, 0n, 'written but not durable: not visible')
  t.equal((await log.read(0n, 1 << 20)).records.length, 0)
  release()
  const r = await p
  t.equal(r.lastOffset, 1n)
  t.equal(log.logEndOffset, 2n)
  t.equal(parseBatches((await log.read(0n, 1 << 20)).records).length, 1)
  log.configure({ durability: undefined })
  await log.append(simpleBatch(1), { leaderEpoch: 0 })
  t.equal(log.logEndOffset, 3n)
  await log.close()
})

t.test('a failed sync rejects the waiting appends and fences the log', async t => {
  const failing = { async commit (): Promise<void> { throw new Error('EIO') } }
  const log = await PartitionLog.open(t.testdir(), { logger: quiet, durability: failing })
  await t.rejects(log.append(simpleBatch(1), { leaderEpoch: 0 }), { name: 'LogStorageError' })
  await t.rejects(log.append(simpleBatch(1), { leaderEpoch: 0 }), { name: 'LogStorageError' })
  t.equal(log.logEndOffset, 0n)
  await log.close()
})

t.test('GroupCommit reports a log sync failure only to that log\'s waiters', async t => {
  const gc = new GroupCommit()
  const good: Syncable = { syncForCommit: async () => {} }
  const bad: Syncable = { syncForCommit: async () => { throw new Error('boom') } }
  const results = await Promise.allSettled([gc.commit(good), gc.commit(bad), gc.commit(good)])
  t.same(results.map(r => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.equal(gc.stats.rounds, 1)
  t.equal(gc.stats.logSyncs, 2)
})
