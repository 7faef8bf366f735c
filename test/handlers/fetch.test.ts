import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, batch, textRecords, produce, produceValues, fetch, fetchOne, fetchBody, values } from '../helpers/kafka.js'
import { decodeBatches } from '../../src/wire/records.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

t.test('every version 4..18 returns whole, decodable batches with keys, values and headers', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'f' })
  const ts = BigInt(Date.now())
  const sent = [
    { key: Buffer.from('k0'), value: Buffer.from('v0'), headers: [{ key: 'h0', value: Buffer.from('x') }, { key: 'h1', value: null }], timestamp: ts },
    { key: null, value: null, headers: [], timestamp: ts + 1n },
    { key: Buffer.from('k2'), value: Buffer.alloc(1000, 7), headers: [{ key: 'ü', value: Buffer.alloc(0) }], timestamp: ts + 2n }
  ]
  await produce(c, { topic: 'f', records: await batch(sent) })
  await produceValues(c, 'f', ['tail'])
  for (let v = 4; v <= 18; v++) {
    const target = v >= 13 ? { topic: '', topicId: id } : { topic: 'f' }
    const res = await fetch(c, [target], { version: v })
    if (v >= 7) {
      t.equal(res.errorCode, 0)
      t.equal(res.sessionId, 0, `v${v} full fetch gets session id 0`)
    }
    if (v >= 13) t.equal(res.responses[0].topicId, id)
    else t.equal(res.responses[0].topic, 'f')
    const p = res.responses[0].partitions[0]
    t.equal(p.errorCode, 0, `v${v}`)
    t.equal(p.highWatermark, 4n)
    t.equal(p.lastStableOffset, 4n)
    if (v >= 5) t.equal(p.logStartOffset, 0n)
    t.equal(p.preferredReadReplica, -1)
    const batches = await decodeBatches(p.records)
    t.same(batches.map(x => [x.baseOffset, x.records.length]), [[0n, 3], [3n, 1]], `v${v} batches`)
    const got = batches[0]!.records
    t.same(got.map(r => r.offset), [0n, 1n, 2n])
    t.same(got.map(r => r.timestamp), [ts, ts + 1n, ts + 2n])
    t.same(got.map(r => r.key), sent.map(r => r.key))
    t.same(got.map(r => r.value), sent.map(r => r.value))
    t.same(got.map(r => r.headers), sent.map(r => r.headers))
    t.equal(batches[0]!.partitionLeaderEpoch, 0)
  }
})

t.test('a fetch offset inside a batch returns the whole batch', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'inside' })
  await produceValues(c, 'inside', ['a', 'b', 'c', 'd', 'e'])
  await produceValues(c, 'inside', ['f'])
  const { batches } = await fetchOne(c, { topic: 'inside', offset: 3n })
  t.same(batches.map(x => x.baseOffset), [0n, 5n])
  t.same(values(batches), ['a', 'b', 'c', 'd', 'e', 'f'])
  const last = await fetchOne(c, { topic: 'inside', offset: 5n })
  t.same(values(last.batches), ['f'])
})

t.test('OFFSET_OUT_OF_RANGE beyond the end, with -1 offsets; the end itself is empty', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'range' })
  await produceValues(c, 'range', ['a', 'b'])
  for (const v of [4, 11, 12, 16]) {
    const topic = v >= 13 ? { topic: '', topicId: id } : { topic: 'range' }
    const beyond = (await fetchOne(c, { ...topic, offset: 3n }, { version: v })).partition
    t.equal(beyond.errorCode, 1, `v${v}`)
    t.equal(beyond.highWatermark, -1n)
    t.equal(beyond.lastStableOffset, -1n)
    if (v >= 5) t.equal(beyond.logStartOffset, -1n)
    t.ok(beyond.records !== null && beyond.records.length === 0, 'empty records on error')
  }
  const end = (await fetchOne(c, { topic: 'range', offset: 2n })).partition
  t.equal(end.errorCode, 0)
  t.equal(end.highWatermark, 2n)
  t.ok(end.records !== null && end.records.length === 0)
})

t.test('a negative fetch offset is OFFSET_OUT_OF_RANGE', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'neg' })
  await produceValues(c, 'neg', ['a'])
  const { partition } = await fetchOne(c, { topic: 'neg', offset: -1n })
  t.equal(partition.errorCode, 1)
})

t.test('no data: records are empty, never null, at every version', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'empty' })
  for (let v = 4; v <= 18; v++) {
    const res = await fetch(c, [v >= 13 ? { topic: '', topicId: id } : { topic: 'empty' }], { version: v })
    const p = res.responses[0].partitions[0]
    t.equal(p.errorCode, 0)
    t.not(p.records, null, `v${v} records not null`)
    t.equal(p.records.length, 0)
    t.equal(p.highWatermark, 0n)
    if (v >= 5) t.equal(p.logStartOffset, 0n)
  }
})

t.test('long-poll: answered promptly when another connection produces', async t => {
  const b = await startTestBroker(t)
  const consumer = await b.client()
  const producer = await b.client()
  await createTopic(producer, { name: 'lp', numPartitions: 2 })
  const started = Date.now()
  const pending = fetch(consumer, [{ topic: 'lp', partition: 0 }, { topic: 'lp', partition: 1 }], { maxWaitMs: 5000, minBytes: 1 })
  await sleep(100)
  await produceValues(producer, 'lp', ['wake'], 1)
  const res = await pending
  const elapsed = Date.now() - started
  t.ok(elapsed < 4000, `answered after ${elapsed} ms, not at maxWait`)
  const [p0, p1] = res.responses[0].partitions
  t.equal(p0.records.length, 0)
  t.same(values(await decodeBatches(p1.records)), ['wake'])
  t.equal(p1.highWatermark, 1n)
})

t.test('long-poll: with no data the answer comes after about maxWait', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'idle' })
  const started = Date.now()
  const { partition } = await fetchOne(c, { topic: 'idle' }, { maxWaitMs: 300, minBytes: 1 })
  const elapsed = Date.now() - started
  t.ok(elapsed >= 250, `waited ${elapsed} ms`)
  t.ok(elapsed < 3000, `but not much longer (${elapsed} ms)`)
  t.equal(partition.errorCode, 0)
  t.equal(partition.records.length, 0)
})

t.test('long-poll: less than minBytes waits for maxWait, then returns what there is', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'few' })
  await produceValues(c, 'few', ['tiny'])
  const started = Date.now()
  const { batches } = await fetchOne(c, { topic: 'few' }, { maxWaitMs: 300, minBytes: 100000 })
  t.ok(Date.now() - started >= 250)
  t.same(values(batches), ['tiny'])
})

t.test('long-poll: a read error answers at once; partitions the metadata does not know do not end the wait', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'errnow' })
  let started = Date.now()
  const outOfRange = await fetch(c, [{ topic: 'errnow' }, { topic: 'errnow', offset: 50n }], { maxWaitMs: 3000 })
  t.ok(Date.now() - started < 2000, 'OFFSET_OUT_OF_RANGE answers at once')
  t.same(outOfRange.responses[0].partitions.map((p: any) => p.errorCode), [0, 1])
  started = Date.now()
  const unknown = await fetch(c, [{ topic: 'errnow' }, { topic: 'errnow', partition: 9 }, { topic: 'nosuch' }], { maxWaitMs: 400 })
  t.ok(Date.now() - started >= 350, 'unknown partitions are answered alongside after the wait, as KafkaApis sets them aside')
  t.same(unknown.responses.map((r: any) => r.partitions.map((p: any) => p.errorCode)), [[0, 3], [3]])
  started = Date.now()
  const onlyUnknown = await fetch(c, [{ topic: 'nosuch' }], { maxWaitMs: 3000 })
  t.ok(Date.now() - started < 2000, 'nothing known to wait on: answered at once')
  t.same(onlyUnknown.responses[0].partitions.map((p: any) => p.errorCode), [3])
})

t.test('partitionMaxBytes below the first batch still returns that batch whole, and only it', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'pmb' })
  await produce(c, { topic: 'pmb', records: await batch(textRecords(['x'.repeat(500), 'y'.repeat(500)])) })
  await produceValues(c, 'pmb', ['next'])
  const { batches, partition } = await fetchOne(c, { topic: 'pmb', partitionMaxBytes: 10 })
  t.same(batches.map(x => x.records.length), [2])
  t.ok(partition.records.length > 1000)
  const again = await fetchOne(c, { topic: 'pmb', partitionMaxBytes: 10 }, { version: 4 })
  t.same(again.batches.map(x => x.records.length), [2], 'v4 as well')
})

t.test('maxBytes limits the response across partitions', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'mb', numPartitions: 2 })
  for (const p of [0, 1]) await produce(c, { topic: 'mb', partition: p, records: await batch(textRecords(['z'.repeat(800)])) })
  const res = await fetch(c, [{ topic: 'mb', partition: 0 }, { topic: 'mb', partition: 1 }], { maxBytes: 500 })
  const [p0, p1] = res.responses[0].partitions
  t.same(values(await decodeBatches(p0.records)), ['z'.repeat(800)], 'first partition whole despite maxBytes')
  t.equal(p1.errorCode, 0)
  t.equal(p1.records.length, 0, 'second partition gets nothing once the limit is reached')
  t.equal(p1.highWatermark, 1n, 'but still reports its offsets')
  const both = await fetch(c, [{ topic: 'mb', partition: 0 }, { topic: 'mb', partition: 1 }], { maxBytes: 10000 })
  t.same(both.responses[0].partitions.map((p: any) => p.records.length > 800), [true, true])
})

t.test('current leader epoch: below is FENCED_LEADER_EPOCH, above UNKNOWN_LEADER_EPOCH (v9+)', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'epoch' })
  await produceValues(c, 'epoch', ['a'])
  for (const v of [9, 12, 17]) {
    const topic = v >= 13 ? { topic: '', topicId: id } : { topic: 'epoch' }
    const res = await fetch(c, [
      { ...topic, currentLeaderEpoch: -1 },
      { ...topic, currentLeaderEpoch: 0 }
    ], { version: v })
    t.same(res.responses[0].partitions.map((p: any) => p.errorCode), [0, 0], `v${v} -1 and 0 accepted`)
    const above = (await fetchOne(c, { ...topic, currentLeaderEpoch: 1 }, { version: v })).partition
    t.equal(above.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH, `v${v} above`)
    t.equal(above.highWatermark, -1n)
    t.equal(above.records.length, 0)
    const below = (await fetchOne(c, { ...topic, currentLeaderEpoch: -2 }, { version: v })).partition
    t.equal(below.errorCode, ErrorCode.FENCED_LEADER_EPOCH, `v${v} below`)
  }
})

t.test('an unknown session is FETCH_SESSION_ID_NOT_FOUND; epoch 0 opens a session, -1 does not (more in fetch-sessions.test.ts)', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const sid = await createTopic(c, { name: 'sess' })
  await produceValues(c, 'sess', ['a'])
  for (const v of [7, 12, 18]) {
    const inc = await fetch(c, [{ topic: 'sess', topicId: sid }], { version: v, sessionId: 5, sessionEpoch: 1 })
    t.equal(inc.errorCode, 70, `v${v}`)
    t.same(inc.responses, [])
    const open = await fetch(c, [{ topic: 'sess', topicId: sid }], { version: v, sessionId: 0, sessionEpoch: 0 })
    t.equal(open.errorCode, 0)
    t.not(open.sessionId, 0, 'a session is created')
    t.same(values(await decodeBatches(open.responses[0].partitions[0].records)), ['a'])
    const full = await fetch(c, [{ topic: 'sess', topicId: sid }], { version: v, sessionId: 0, sessionEpoch: -1 })
    t.equal(full.errorCode, 0)
    t.equal(full.sessionId, 0)
  }
})

t.test('isolation level: READ_COMMITTED has empty aborted transactions, READ_UNCOMMITTED null', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const iid = await createTopic(c, { name: 'iso' })
  await produceValues(c, 'iso', ['a'])
  for (const v of [4, 11, 12, 18]) {
    const committed = (await fetchOne(c, { topic: 'iso', topicId: iid }, { version: v, isolationLevel: 1 })).partition
    t.same(committed.abortedTransactions, [], `v${v} read committed`)
    const uncommitted = (await fetchOne(c, { topic: 'iso', topicId: iid }, { version: v, isolationLevel: 0 })).partition
    t.equal(uncommitted.abortedTransactions, null, `v${v} read uncommitted`)
  }
})

t.test('unknown topic, partition and topic id', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'known' })
  const byName = await fetch(c, [{ topic: 'unknown' }, { topic: 'known', partition: 3 }], { version: 12 })
  t.same(byName.responses.map((r: any) => r.partitions.map((p: any) => [p.errorCode, p.highWatermark])), [[[3, -1n]], [[3, -1n]]])
  const byId = await fetch(c, [{ topic: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }], { version: 13 })
  t.equal(byId.responses[0].partitions[0].errorCode, 100)
  t.equal(b.running.broker.metadata.image.topicsByName.has('unknown'), false, 'fetch does not auto-create')
})

t.test('several pipelined long-polls on one connection finish in order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const p = await b.client()
  await createTopic(c, { name: 'lp2' })
  const first = c.send(API.Fetch, 12, fetchBody([{ topic: 'lp2' }], { maxWaitMs: 400 }))
  const second = c.send(API.Fetch, 12, fetchBody([{ topic: 'lp2' }], { maxWaitMs: 50 }))
  const r1 = c.response(first, API.Fetch, 12)
  const r2 = c.response(second, API.Fetch, 12)
  await sleep(150)
  await produceValues(p, 'lp2', ['late'])
  const [a, bb] = await Promise.all([r1, r2])
  t.same(c.arrivals.slice(-2), [first, second])
  t.same(values(await decodeBatches(a.responses[0].partitions[0].records)), ['late'], 'the first was woken by the produce')
  t.equal(bb.responses[0].partitions[0].records.length, 0, 'the second timed out empty before the produce')
})
