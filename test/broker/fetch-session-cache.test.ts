import t from 'tap'
import { FetchSessionCache, FetchSessionCacheShard, nextEpoch, mustRespond, cachedPartition, partitionKey, type CachedPartition } from '../../src/broker/fetch-session-cache.js'

const req = { maxBytes: 100, fetchOffset: 0n, currentLeaderEpoch: -1, lastFetchedEpoch: -1, fetcherLogStartOffset: -1n }

function parts (n: number): () => Map<string, CachedPartition> {
  return () => new Map(Array.from({ length: n }, (_, i) => [partitionKey('AAAAAAAAAAAAAAAAAAAAAA', 't', i), cachedPartition('t', 'AAAAAAAAAAAAAAAAAAAAAA', i, req)]))
}

t.test('nextEpoch wraps to 1 and keeps the final epoch final', async t => {
  t.equal(nextEpoch(0), 1)
  t.equal(nextEpoch(41), 42)
  t.equal(nextEpoch(2147483647), 1)
  t.equal(nextEpoch(-1), -1)
})

t.test('a shard evicts the stale session first, else a smaller old one, never a fresh one', async t => {
  const shard = new FetchSessionCacheShard(2, 1000, 1000, 0)
  const a = shard.maybeCreateSession(0, false, 1, false, parts(1))
  const b = shard.maybeCreateSession(0, false, 3, false, parts(3))
  t.ok(a >= 1 && a < 1000 && b >= 1 && b < 1000 && a !== b, 'ids in the shard range')
  t.equal(shard.maybeCreateSession(500, false, 5, false, parts(5)), 0, 'full, nothing old enough')
  t.equal(shard.totalPartitions, 4)
  // Touch both past their eviction age; the smaller one is the first evictable.
  shard.touch(shard.get(a)!, 1500)
  shard.touch(shard.get(b)!, 1600)
  t.equal(shard.maybeCreateSession(1700, false, 1, false, parts(1)), 0, 'equal size does not evict')
  const c = shard.maybeCreateSession(1700, false, 2, false, parts(2))
  t.ok(c > 0)
  t.equal(shard.get(a), undefined, 'the smaller session was evicted')
  t.equal(shard.totalPartitions, 5)
  // b is then unused for more than the eviction time: stale, evicted whatever the newcomer's size.
  shard.touch(shard.get(c)!, 2700)
  const d = shard.maybeCreateSession(2700, false, 1, false, parts(1))
  t.ok(d > 0)
  t.equal(shard.get(b), undefined, 'the stale session was evicted')
  t.equal(shard.size, 2)
})

t.test('a privileged newcomer evicts an unprivileged session even when fresh', async t => {
  const shard = new FetchSessionCacheShard(1, 1000, 1000, 0)
  const consumer = shard.maybeCreateSession(0, false, 10, false, parts(10))
  t.equal(shard.maybeCreateSession(1, false, 20, false, parts(20)), 0)
  const follower = shard.maybeCreateSession(1, true, 1, false, parts(1))
  t.ok(follower > 0)
  t.equal(shard.get(consumer), undefined)
  t.equal(shard.maybeCreateSession(2, true, 5, false, parts(5)), 0, 'a fresh privileged session is not evictable')
})

t.test('the cache places sessions round-robin over 8 shards and finds them by id', async t => {
  let now = 0
  const cache = new FetchSessionCache({ slots: 16, now: () => now })
  const range = Math.floor(2147483647 / 8)
  const ids = Array.from({ length: 17 }, () => cache.maybeCreateSession(false, 1, true, parts(1)))
  t.same(ids.slice(0, 16).map(id => Math.floor(id / range)), [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7])
  t.equal(ids[16], 0, 'each shard holds 2')
  t.equal(cache.size, 16)
  t.equal(cache.get(ids[3]!)?.id, ids[3])
  t.equal(cache.get(0), undefined)
  t.equal(cache.get(-5), undefined)
  t.equal(cache.get(2147483647), undefined)
  t.equal(cache.remove(ids[3]!)?.id, ids[3])
  t.equal(cache.get(ids[3]!), undefined)
  now = 1
  cache.close()
  t.equal(cache.size, 0)
  t.equal(cache.totalPartitions, 0)
})

t.test('mustRespond: records, high watermark and log start changes, errors; updating only when asked', async t => {
  const cp = cachedPartition('t', 'AAAAAAAAAAAAAAAAAAAAAA', 0, req, { errorCode: 0, highWatermark: 5n, logStartOffset: 0n, recordsBytes: 0, preferredReadReplica: -1, divergingEpoch: false })
  const same = { errorCode: 0, highWatermark: 5n, logStartOffset: 0n, recordsBytes: 0, preferredReadReplica: -1, divergingEpoch: false }
  t.equal(mustRespond(cp, same, true), false)
  t.equal(mustRespond(cp, { ...same, recordsBytes: 10 }, true), true)
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n }, false), true)
  t.equal(cp.highWatermark, 5n, 'not updated when only sizing')
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n }, true), true)
  t.equal(cp.highWatermark, 6n)
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n, logStartOffset: 2n }, true), true)
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n, logStartOffset: 2n }, true), false)
  t.equal(mustRespond(cp, { ...same, errorCode: 3, highWatermark: -1n, logStartOffset: -1n }, true), true)
  t.equal(cp.highWatermark, -1n, 'an error forgets the high watermark')
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n, logStartOffset: 2n }, true), true, 'reported again once the error clears')
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n, logStartOffset: 2n, preferredReadReplica: 2 }, true), true)
  t.equal(mustRespond(cp, { ...same, highWatermark: 6n, logStartOffset: 2n, divergingEpoch: true }, true), true)
})
