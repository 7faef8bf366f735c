import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, batch, textRecords, produce, produceBody, fetchOne, values } from '../helpers/kafka.js'
import { decodeBatches } from '../../src/wire/records.js'

const HOUR = 3600_000n

t.test('every version 3..13 appends; offsets are consecutive across batches', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'p' })
  let expected = 0n
  for (let v = 3; v <= 13; v++) {
    const records = await batch(textRecords([`v${v}-a`, `v${v}-b`]))
    const target = v >= 13 ? { topic: '', topicId: id, records } : { topic: 'p', records }
    const res = await c.request(API.Produce, v, produceBody([target]))
    const r = res.responses[0].partitionResponses[0]
    t.equal(r.errorCode, 0, `v${v}`)
    t.equal(r.baseOffset, expected, `v${v} base offset`)
    t.equal(r.logAppendTimeMs, -1n, 'CreateTime topic')
    if (v >= 5) t.equal(r.logStartOffset, 0n)
    if (v >= 13) t.equal(res.responses[0].topicId, id)
    else t.equal(res.responses[0].name, 'p')
    expected += 2n
  }
  const { partition, batches } = await fetchOne(c, { topic: 'p' })
  t.equal(partition.highWatermark, expected)
  t.same(batches.map(x => x.baseOffset), Array.from({ length: 11 }, (_, i) => BigInt(i * 2)))
  t.same(values(batches).slice(0, 4), ['v3-a', 'v3-b', 'v4-a', 'v4-b'])
})

t.test('several partitions and topics in one request', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'm1', numPartitions: 2 })
  await createTopic(c, { name: 'm2' })
  const res = await c.request(API.Produce, 9, produceBody([
    { topic: 'm1', partition: 0, records: await batch(textRecords(['a'])) },
    { topic: 'm1', partition: 1, records: await batch(textRecords(['b', 'c'])) },
    { topic: 'm1', partition: 7, records: await batch(textRecords(['x'])) },
    { topic: 'm2', partition: 0, records: await batch(textRecords(['d'])) }
  ]))
  t.same(res.responses.map((r: any) => [r.name, r.partitionResponses.map((p: any) => [p.index, p.errorCode, p.baseOffset])]), [
    ['m1', [[0, 0, 0n], [1, 0, 0n], [7, 3, -1n]]],
    ['m2', [[0, 0, 0n]]]
  ])
})

t.test('validation errors', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'v', configs: { 'max.message.bytes': '300' } })
  const good = await batch(textRecords(['ok']))

  const corrupt = Buffer.from(good)
  corrupt[corrupt.length - 2] ^= 0xff
  t.equal((await produce(c, { topic: 'v', records: corrupt })).errorCode, 2, 'bad CRC is CORRUPT_MESSAGE')

  const two = Buffer.concat([good, await batch(textRecords(['again']))])
  t.equal((await produce(c, { topic: 'v', records: two })).errorCode, 87, 'two batches is INVALID_RECORD')

  const big = await batch(textRecords(['x'.repeat(400)]))
  const tooBig = await produce(c, { topic: 'v', records: big })
  t.equal(tooBig.errorCode, 10, 'over max.message.bytes is MESSAGE_TOO_LARGE')
  t.equal(tooBig.baseOffset, -1n)

  for (const acks of [2, -2, 5]) {
    t.equal((await produce(c, { topic: 'v', records: good }, { acks })).errorCode, 21, `acks=${acks}`)
  }
  t.equal((await produce(c, { topic: 'nope', records: good })).errorCode, 3, 'unknown topic')
  t.equal((await produce(c, { topic: '', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', records: good }, { version: 13 })).errorCode, 100, 'unknown topic id')
  t.equal((await produce(c, { topic: '', topicId: id, records: good }, { version: 13 })).errorCode, 0, 'known id')

  const { partition } = await fetchOne(c, { topic: 'v' })
  t.equal(partition.highWatermark, 1n, 'only the good batch was appended')
})

t.test('produce never auto-creates a topic', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  t.equal((await produce(c, { topic: 'ghost', records: await batch(textRecords(['a'])) })).errorCode, 3)
  t.equal(b.running.broker.metadata.image.topicsByName.has('ghost'), false)
})

t.test('LogAppendTime topics stamp the broker time', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'lat', configs: { 'message.timestamp.type': 'LogAppendTime' } })
  const before = BigInt(Date.now())
  const r = await produce(c, { topic: 'lat', records: await batch(textRecords(['a', 'b'], { timestamp: 1000n })) })
  const after = BigInt(Date.now())
  t.equal(r.errorCode, 0)
  t.ok(r.logAppendTimeMs >= before && r.logAppendTimeMs <= after, 'logAppendTimeMs is now')
  const { batches } = await fetchOne(c, { topic: 'lat' })
  t.equal(batches[0]!.timestampType, 'LogAppendTime')
  t.equal(batches[0]!.maxTimestamp, r.logAppendTimeMs)
  t.same(batches[0]!.records.map(x => x.timestamp), [r.logAppendTimeMs, r.logAppendTimeMs])
  t.same(values(batches), ['a', 'b'])
})

t.test('compression.type=gzip recompresses an uncompressed batch', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'gz', configs: { 'compression.type': 'gzip' } })
  const records = textRecords(['one', 'two', 'three'], { keyPrefix: 'k', timestamp: BigInt(Date.now()) })
  records[1]!.headers = [{ key: 'h', value: Buffer.from('hv') }]
  t.equal((await produce(c, { topic: 'gz', records: await batch(records) })).errorCode, 0)
  const { batches } = await fetchOne(c, { topic: 'gz' })
  t.equal(batches.length, 1)
  t.equal(batches[0]!.compression, 1, 'stored as gzip')
  t.same(values(batches), ['one', 'two', 'three'])
  t.same(batches[0]!.records.map(x => x.key?.toString()), ['k0', 'k1', 'k2'])
  t.same(batches[0]!.records[1]!.headers.map(h => [h.key, h.value?.toString()]), [['h', 'hv']])
  t.same(batches[0]!.records.map(x => x.offset), [0n, 1n, 2n])
})

t.test('a compacted topic refuses null keys with record errors from v8', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'cmp', configs: { 'cleanup.policy': 'compact' } })
  const noKey = await batch([{ key: Buffer.from('k'), value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }])
  const v9 = await produce(c, { topic: 'cmp', records: noKey }, { version: 9 })
  t.equal(v9.errorCode, 87)
  t.same(v9.recordErrors.map((e: any) => e.batchIndex), [1])
  t.match(v9.recordErrors[0].batchIndexErrorMessage, /without key/)
  const v7 = await produce(c, { topic: 'cmp', records: noKey }, { version: 7 })
  t.equal(v7.errorCode, 87)
  t.same(v7.recordErrors, [], 'no record errors before v8')
  const keyed = await produce(c, { topic: 'cmp', records: await batch(textRecords(['x'], { keyPrefix: 'k' })) })
  t.equal(keyed.errorCode, 0)
  t.equal(keyed.baseOffset, 0n, 'rejected batches took no offsets')
})

t.test('min.insync.replicas above the ISR: acks=-1 refused, acks=1 accepted', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'isr', configs: { 'min.insync.replicas': '2' } })
  const all = await produce(c, { topic: 'isr', records: await batch(textRecords(['a'])) }, { acks: -1 })
  t.equal(all.errorCode, 19)
  const leader = await produce(c, { topic: 'isr', records: await batch(textRecords(['a'])) }, { acks: 1 })
  t.equal(leader.errorCode, 0)
  t.equal(leader.baseOffset, 0n)
})

t.test('a timestamp two hours in the future is INVALID_TIMESTAMP', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'future' })
  const future = await batch(textRecords(['late'], { timestamp: BigInt(Date.now()) + 2n * HOUR }))
  const r = await produce(c, { topic: 'future', records: future }, { version: 7 })
  t.equal(r.errorCode, 32)
  t.equal(r.baseOffset, -1n)
  const nearly = await batch(textRecords(['soon'], { timestamp: BigInt(Date.now()) + HOUR / 2n }))
  t.equal((await produce(c, { topic: 'future', records: nearly })).errorCode, 0, 'within message.timestamp.after.max.ms')
  const past = await batch(textRecords(['old'], { timestamp: 1000n }))
  t.equal((await produce(c, { topic: 'future', records: past })).errorCode, 0, 'no lower bound by default')
})

t.test('INVALID_TIMESTAMP carries record errors from v8', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'future8' })
  const future = await batch(textRecords(['late'], { timestamp: BigInt(Date.now()) + 2n * HOUR }))
  const r = await produce(c, { topic: 'future8', records: future }, { version: 9 })
  t.equal(r.errorCode, 32)
  t.same(r.recordErrors.map((e: any) => e.batchIndex), [0])
})

t.test('message.timestamp.before.max.ms rejects old records', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'recent', configs: { 'message.timestamp.before.max.ms': '60000' } })
  const old = await batch(textRecords(['old'], { timestamp: BigInt(Date.now()) - HOUR }))
  const r = await produce(c, { topic: 'recent', records: old }, { version: 9 })
  t.equal(r.errorCode, 32)
  t.same(r.recordErrors.map((e: any) => e.batchIndex), [0])
})

t.test('pipelined produces on one connection keep their order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'seq' })
  const ids: number[] = []
  const waits: Promise<any>[] = []
  for (let i = 0; i < 20; i++) {
    const id = c.send(API.Produce, 9, produceBody([{ topic: 'seq', records: await batch(textRecords([`m${i}`])) }]))
    ids.push(id)
    waits.push(c.response(id, API.Produce, 9))
  }
  const res = await Promise.all(waits)
  t.same(res.map(r => r.responses[0].partitionResponses[0].baseOffset), Array.from({ length: 20 }, (_, i) => BigInt(i)))
  t.same(c.arrivals.slice(-20), ids)
  const { batches } = await fetchOne(c, { topic: 'seq' })
  t.same(values(batches), Array.from({ length: 20 }, (_, i) => `m${i}`))
})

t.test('pipelined produces to a recompressing topic keep their order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'seqgz', configs: { 'compression.type': 'gzip' } })
  const waits: Promise<any>[] = []
  for (let i = 0; i < 10; i++) {
    const id = c.send(API.Produce, 9, produceBody([{ topic: 'seqgz', records: await batch(textRecords([`g${i}`, `h${i}`])) }]))
    waits.push(c.response(id, API.Produce, 9))
  }
  const res = await Promise.all(waits)
  t.same(res.map(r => r.responses[0].partitionResponses[0].baseOffset), Array.from({ length: 10 }, (_, i) => BigInt(i * 2)))
  const { batches } = await fetchOne(c, { topic: 'seqgz' })
  t.same(values(batches).filter((_, i) => i % 2 === 0), Array.from({ length: 10 }, (_, i) => `g${i}`))
})

t.test('producer fields and a compressed batch are stored as sent', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'raw' })
  const sent = await batch(textRecords(['p', 'q']), { compression: 4, producerId: 77n, producerEpoch: 3, baseSequence: 0 })
  t.equal((await produce(c, { topic: 'raw', records: sent })).errorCode, 0)
  const { partition } = await fetchOne(c, { topic: 'raw' })
  const [stored] = await decodeBatches(partition.records)
  t.equal(stored!.compression, 4)
  t.equal(stored!.producerId, 77n)
  t.equal(stored!.producerEpoch, 3)
  t.equal(stored!.partitionLeaderEpoch, 0, 'leader epoch written by the broker')
  t.same(stored!.records.map(r => r.value?.toString()), ['p', 'q'])
  // Everything after the broker-written fields (base offset, leader epoch, CRC over the rest) is unchanged.
  t.same(partition.records.subarray(21), sent.subarray(21))
})

t.test('empty or null records are INVALID_RECORD', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'nothing' })
  for (const v of [3, 8, 9, 12]) {
    t.equal((await produce(c, { topic: 'nothing', records: Buffer.alloc(0) }, { version: v })).errorCode, 87, `v${v} empty`)
    t.equal((await produce(c, { topic: 'nothing', records: null }, { version: v })).errorCode, 87, `v${v} null`)
  }
  const good = await batch(textRecords(['ok']))
  t.equal((await produce(c, { topic: 'nothing', records: good.subarray(0, good.length - 3) })).errorCode, 87, 'truncated batch')
  t.notOk(c.isClosed)
})
