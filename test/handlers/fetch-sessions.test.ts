import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, produceValues, fetch, fetchBody, values } from '../helpers/kafka.js'
import { decodeBatches } from '../../src/wire/records.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import type { RawClient } from '../helpers/raw-client.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

interface Target { topic: string, topicId?: string, partition: number, offset?: bigint }

/** The partitions of a response as [partition, values] (topic names ignored). */
async function got (res: any): Promise<[number, string[]][]> {
  const out: [number, string[]][] = []
  for (const topic of res.responses) {
    for (const p of topic.partitions) out.push([p.partitionIndex, values(await decodeBatches(p.records))])
  }
  return out
}

async function forget (c: RawClient, v: number, sessionId: number, sessionEpoch: number, forgotten: { topic: string, topicId?: string, partitions: number[] }[], targets: Target[] = []): Promise<any> {
  const body = { ...fetchBody(targets, { version: v, sessionId, sessionEpoch }), forgottenTopicsData: forgotten.map(f => ({ topic: v >= 13 ? '' : f.topic, topicId: f.topicId, partitions: f.partitions })) }
  return await c.request(API.Fetch, v, body)
}

for (const v of [12, 13, 18]) {
  t.test(`v${v}: a session is created, then incremental fetches report only what changed`, async t => {
    const b = await startTestBroker(t)
    const c = await b.client()
    const id = await createTopic(c, { name: 's', numPartitions: 3 })
    for (let p = 0; p < 3; p++) await produceValues(c, 's', [`a${p}`], p)
    const all: Target[] = [0, 1, 2].map(p => ({ topic: 's', topicId: id, partition: p }))
    const full = await fetch(c, all, { version: v, sessionEpoch: 0 })
    t.equal(full.errorCode, 0)
    t.ok(full.sessionId > 0, 'a new non-zero session id')
    t.same(await got(full), [[0, ['a0']], [1, ['a1']], [2, ['a2']]], 'every partition in the full answer')
    const sid = full.sessionId
    if (v >= 13) t.equal(full.responses[0].topicId, id)
    else t.equal(full.responses[0].topic, 's')

    // The consumer moves its offsets past what it got: the request updates the session.
    const moved = all.map(x => ({ ...x, offset: 1n }))
    const inc1 = await fetch(c, moved, { version: v, sessionId: sid, sessionEpoch: 1 })
    t.equal(inc1.errorCode, 0)
    t.equal(inc1.sessionId, sid)
    t.same(inc1.responses, [], 'nothing changed: no partitions at all')

    const inc2 = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 2 })
    t.same(inc2.responses, [], 'still nothing, with the offsets the session remembers')

    await produceValues(c, 's', ['b1'], 1)
    const inc3 = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 3 })
    t.same(await got(inc3), [[1, ['b1']]], 'only the partition with new records')
    t.equal(inc3.responses[0].partitions[0].highWatermark, 2n)
    if (v >= 13) t.equal(inc3.responses[0].topicId, id)
    else t.equal(inc3.responses[0].topic, 's')

    // Not advancing partition 1: its records come again, but the high watermark is no news for others.
    const inc4 = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 4 })
    t.same(await got(inc4), [[1, ['b1']]], 'records at the remembered offset are sent again')

    // Advance partition 1; new records on 0 and 2, but the fetch's maxBytes is spent on 0 (read first):
    // partition 2 is still reported, for its high watermark alone.
    await fetch(c, [{ topic: 's', topicId: id, partition: 1, offset: 2n }], { version: v, sessionId: sid, sessionEpoch: 5 })
    await produceValues(c, 's', ['c0'], 0)
    await produceValues(c, 's', ['c2'], 2)
    const hwOnly = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 6, maxBytes: 1 })
    t.same(await got(hwOnly), [[0, ['c0']], [2, []]], 'partition 2 without records')
    t.same(hwOnly.responses.flatMap((r: any) => r.partitions.map((p: any) => p.highWatermark)), [2n, 2n])
    await fetch(c, [{ topic: 's', topicId: id, partition: 0, offset: 2n }, { topic: 's', topicId: id, partition: 2, offset: 2n }], { version: v, sessionId: sid, sessionEpoch: 7 })
    const quiet = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 8 })
    t.same(quiet.responses, [], 'a high watermark already sent is not news')

    const wrong = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 8 })
    t.equal(wrong.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH, 'a repeated epoch')
    t.equal(wrong.sessionId, 0)
    t.same(wrong.responses, [])
    const ahead = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 20 })
    t.equal(ahead.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH, 'an epoch ahead')
    const stillOk = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 9 })
    t.equal(stillOk.errorCode, 0, 'epoch errors leave the session as it was')

    // Closing with epoch -1 answers sessionless and forgets the session.
    const close = await fetch(c, all, { version: v, sessionId: sid, sessionEpoch: -1 })
    t.equal(close.errorCode, 0)
    t.equal(close.sessionId, 0)
    t.equal((await got(close)).length, 3)
    const gone = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 10 })
    t.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    t.equal(b.running.broker.fetchSessions.size, 0)
  })
}

t.test('unknown session id, and a zero id with a positive epoch, are FETCH_SESSION_ID_NOT_FOUND', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'u' })
  for (const [sessionId, sessionEpoch] of [[12345, 1], [0, 3]] as const) {
    const res = await fetch(c, [{ topic: 'u', partition: 0 }], { sessionId, sessionEpoch })
    t.equal(res.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
    t.equal(res.sessionId, 0)
    t.same(res.responses, [])
  }
})

t.test('forgotten topics leave the session; forgetting all closes it', async t => {
  for (const v of [12, 13]) {
    const b = await startTestBroker(t)
    const c = await b.client()
    const id = await createTopic(c, { name: 'f', numPartitions: 2 })
    const full = await fetch(c, [0, 1].map(p => ({ topic: 'f', topicId: id, partition: p })), { version: v, sessionEpoch: 0 })
    const sid = full.sessionId
    t.ok(sid > 0)
    const inc = await forget(c, v, sid, 1, [{ topic: 'f', topicId: id, partitions: [0] }])
    t.equal(inc.errorCode, 0)
    t.equal(b.running.broker.fetchSessions.get(sid)?.size, 1, `v${v} one partition left`)
    await produceValues(c, 'f', ['x'], 0)
    await produceValues(c, 'f', ['y'], 1)
    const after = await fetch(c, [], { version: v, sessionId: sid, sessionEpoch: 2 })
    t.same(await got(after), [[1, ['y']]], 'the forgotten partition is no longer fetched')
    const last = await forget(c, v, sid, 3, [{ topic: 'f', topicId: id, partitions: [1] }])
    t.equal(last.errorCode, 0)
    t.equal(last.sessionId, 0, 'an emptied session is closed and the answer is sessionless')
    t.equal(b.running.broker.fetchSessions.get(sid), undefined)
    await b.stop()
  }
})

t.test('partitions added by an incremental request join the session; errors are always reported', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'a', numPartitions: 2 })
  await produceValues(c, 'a', ['p1'], 1)
  const full = await fetch(c, [{ topic: 'a', partition: 0 }], { sessionEpoch: 0 })
  const sid = full.sessionId
  const add = await fetch(c, [{ topic: 'a', partition: 1 }, { topic: 'a', partition: 7 }], { sessionId: sid, sessionEpoch: 1 })
  t.same(add.responses[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[1, 0], [7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]])
  const again = await fetch(c, [{ topic: 'a', partition: 1, offset: 1n }], { sessionId: sid, sessionEpoch: 2 })
  t.same(again.responses[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]], 'an errored partition is reported every time')
})

t.test('partitions that returned records move to the back of the session order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'o', numPartitions: 3 })
  const full = await fetch(c, [0, 1, 2].map(p => ({ topic: 'o', partition: p })), { sessionEpoch: 0 })
  const sid = full.sessionId
  await produceValues(c, 'o', ['x'], 0)
  await produceValues(c, 'o', ['y'], 2)
  const inc = await fetch(c, [], { sessionId: sid, sessionEpoch: 1 })
  t.same(await got(inc), [[0, ['x']], [2, ['y']]])
  const session = b.running.broker.fetchSessions.get(sid)!
  t.same([...session.partitions.values()].map(p => p.partition), [1, 0, 2], 'partition 1 is read first next time')
  // The order is also the order a later answer lists them in.
  await produceValues(c, 'o', ['z'], 1)
  const next = await fetch(c, [], { sessionId: sid, sessionEpoch: 2 })
  t.same((await got(next)).map(x => x[0]), [1, 0, 2])
})

t.test('topic ids: a session opened with ids cannot continue by name (and back): FETCH_SESSION_TOPIC_ID_ERROR', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'ti' })
  const withIds = await fetch(c, [{ topic: 'ti', topicId: id, partition: 0 }], { version: 13, sessionEpoch: 0 })
  const byName = await fetch(c, [], { version: 12, sessionId: withIds.sessionId, sessionEpoch: 1 })
  t.equal(byName.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
  t.same(byName.responses, [])
  const withNames = await fetch(c, [{ topic: 'ti', partition: 0 }], { version: 12, sessionEpoch: 0 })
  const byId = await fetch(c, [], { version: 16, sessionId: withNames.sessionId, sessionEpoch: 1 })
  t.equal(byId.errorCode, ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR)
})

t.test('topic ids: unknown ids are UNKNOWN_TOPIC_ID in the session; a topic recreated under its name is INCONSISTENT_TOPIC_ID', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'rc' })
  const unknown = 'AAAAAAAAAAAAAAAAAAAAAQ'
  const full = await fetch(c, [{ topic: 'rc', topicId: id, partition: 0 }, { topic: 'x', topicId: unknown, partition: 0 }], { version: 13, sessionEpoch: 0 })
  t.ok(full.sessionId > 0)
  t.same(full.responses.map((r: any) => [r.topicId, r.partitions[0].errorCode]), [[id, 0], [unknown, ErrorCode.UNKNOWN_TOPIC_ID]])
  const inc = await fetch(c, [], { version: 13, sessionId: full.sessionId, sessionEpoch: 1 })
  t.same(inc.responses.map((r: any) => [r.topicId, r.partitions[0].errorCode]), [[unknown, ErrorCode.UNKNOWN_TOPIC_ID]], 'only the error is reported')
  const del = await c.request(API.DeleteTopics, 6, { topics: [{ name: 'rc', topicId: 'AAAAAAAAAAAAAAAAAAAAAA' }], topicNames: [], timeoutMs: 5000 })
  t.equal(del.responses[0].errorCode, 0)
  const newId = await createTopic(c, { name: 'rc' })
  t.not(newId, id)
  const after = await fetch(c, [], { version: 13, sessionId: full.sessionId, sessionEpoch: 2 })
  t.same(after.responses.map((r: any) => [r.topicId, r.partitions[0].errorCode]), [[id, ErrorCode.INCONSISTENT_TOPIC_ID], [unknown, ErrorCode.UNKNOWN_TOPIC_ID]])
})

t.test('slots: below 8 there is no room at all (8 shards); a full shard answers session id 0', async t => {
  const tiny = await startTestBroker(t, { config: { 'max.incremental.fetch.session.cache.slots': '1' } })
  const c1 = await tiny.client()
  await createTopic(c1, { name: 'n' })
  const none = await fetch(c1, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })
  t.equal(none.errorCode, 0)
  t.equal(none.sessionId, 0, 'slots=1 gives each of the 8 shards no room')
  t.equal(none.responses[0].partitions[0].errorCode, 0)

  const b = await startTestBroker(t, { config: { 'max.incremental.fetch.session.cache.slots': '8' } })
  const c = await b.client()
  await createTopic(c, { name: 'n' })
  let now = 1_000_000
  b.running.broker.fetchSessions.now = () => now
  const ids: number[] = []
  for (let i = 0; i < 8; i++) ids.push((await fetch(c, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })).sessionId)
  t.ok(ids.every(id => id > 0), 'one session per shard')
  const range = Math.floor(2147483647 / 8)
  t.same(ids.map(id => Math.floor(id / range)), [0, 1, 2, 3, 4, 5, 6, 7], 'placed round-robin, each in its shard\'s id range')
  const full = await fetch(c, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })
  t.equal(full.sessionId, 0, 'shard 0 is full and its session is not evictable yet')
  t.equal(full.responses[0].partitions.length, 1, 'the full answer still carries the partitions')

  // Sessions 2..7 are used now; shard 1's session goes stale.
  now += 60_000
  for (let i = 2; i < 8; i++) t.equal((await fetch(c, [], { sessionId: ids[i], sessionEpoch: 1 })).errorCode, 0)
  now += 61_000
  // Round-robin counter is at 9: shard 1, whose session was last used 121 s ago.
  const evicting = await fetch(c, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })
  t.ok(evicting.sessionId > 0, 'a stale session gives way')
  t.equal(Math.floor(evicting.sessionId / range), 1)
  t.equal((await fetch(c, [], { sessionId: ids[1], sessionEpoch: 1 })).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND, 'the evicted session is gone')
  // Touched at 60 s of age, shard 2's session was not evictable; touched again past 120 s of age it is,
  // by a session with more partitions (not by one with as many).
  now += 1
  t.equal((await fetch(c, [], { sessionId: ids[2], sessionEpoch: 2 })).errorCode, 0)
  const same = await fetch(c, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })
  t.equal(same.sessionId, 0, 'shard 2: equal size cannot evict')
  await createTopic(c, { name: 'm', numPartitions: 2 })
  for (let i = 0; i < 7; i++) await fetch(c, [{ topic: 'n', partition: 0 }], { sessionEpoch: 0 })
  const bigger = await fetch(c, [{ topic: 'n', partition: 0 }, { topic: 'm', partition: 0 }], { sessionEpoch: 0 })
  t.ok(bigger.sessionId > 0, 'a bigger session evicts a smaller, older one')
  t.equal(Math.floor(bigger.sessionId / range), 2)
  t.equal((await fetch(c, [], { sessionId: ids[2], sessionEpoch: 3 })).errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
})

t.test('sessions belong to the broker: a session continues on another connection', async t => {
  const b = await startTestBroker(t)
  const c1 = await b.client()
  await createTopic(c1, { name: 'bc' })
  const full = await fetch(c1, [{ topic: 'bc', partition: 0 }], { sessionEpoch: 0 })
  await c1.close()
  const c2 = await b.client()
  await produceValues(c2, 'bc', ['later'])
  const inc = await fetch(c2, [], { sessionId: full.sessionId, sessionEpoch: 1 })
  t.same(await got(inc), [[0, ['later']]])
  await b.stop()
  t.equal(b.running.broker.fetchSessions.size, 0, 'broker stop drops the sessions')
})

t.test('long-poll within a session wakes on an append to any session partition', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const p = await b.client()
  await createTopic(c, { name: 'lp', numPartitions: 2 })
  const full = await fetch(c, [0, 1].map(x => ({ topic: 'lp', partition: x })), { sessionEpoch: 0 })
  const sid = full.sessionId
  const started = Date.now()
  const pending = fetch(c, [], { sessionId: sid, sessionEpoch: 1, maxWaitMs: 5000, minBytes: 1 })
  await sleep(150)
  await produceValues(p, 'lp', ['wake'], 1)
  const res = await pending
  const elapsed = Date.now() - started
  t.ok(elapsed < 4000, `answered after ${elapsed} ms`)
  t.same(await got(res), [[1, ['wake']]], 'only the partition that changed')
  // An empty long-poll runs to maxWait and, with nothing new, answers no partitions.
  const idle = Date.now()
  const none = await fetch(c, [{ topic: 'lp', partition: 1, offset: 1n }], { sessionId: sid, sessionEpoch: 2, maxWaitMs: 300, minBytes: 1 })
  t.ok(Date.now() - idle >= 250)
  t.same(none.responses, [])
})

t.test('an answer overtaken by a newer request of its session is INVALID_FETCH_SESSION_EPOCH', async t => {
  const b = await startTestBroker(t)
  const c1 = await b.client()
  const c2 = await b.client()
  await createTopic(c1, { name: 'race' })
  const full = await fetch(c1, [{ topic: 'race', partition: 0 }], { sessionEpoch: 0 })
  const slow = fetch(c1, [], { sessionId: full.sessionId, sessionEpoch: 1, maxWaitMs: 600, minBytes: 1 })
  await sleep(100)
  const fast = await fetch(c2, [], { sessionId: full.sessionId, sessionEpoch: 2 })
  t.equal(fast.errorCode, 0)
  const late = await slow
  t.equal(late.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH)
  t.equal(late.sessionId, full.sessionId)
  t.same(late.responses, [])
})

t.test('before v7 there are no sessions', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'old' })
  await fetch(c, [{ topic: 'old', partition: 0 }], { version: 6 })
  t.equal(b.running.broker.fetchSessions.size, 0)
})
