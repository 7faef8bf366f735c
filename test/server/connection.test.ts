import { API_SPECS } from '../../src/wire/generated/index.js'
import { createRegistry } from '../../src/handlers/index.js'
import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { encodeRequest, frame } from '../helpers/raw-client.js'
import { API, createTopic, batch, textRecords, produceBody, fetchBody, produceValues, metadata } from '../helpers/kafka.js'
import { Writer } from '../../src/wire/writer.js'
import { Reader } from '../../src/wire/reader.js'
import { decodeApiVersionsResponse } from '../../src/wire/generated/api-versions.js'

t.test('a request larger than socket.request.max.bytes closes the connection', async t => {
  const b = await startTestBroker(t, { config: { 'socket.request.max.bytes': '1000' } })
  const c = await b.client()
  const head = Buffer.alloc(4)
  head.writeInt32BE(1001, 0)
  c.writeRaw(head)
  t.ok(await c.closesWithin(2000), 'closed on the size prefix alone')
  // A request at the limit is still served.
  const ok = await b.client()
  const res = await ok.request(API.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
  t.equal(res.errorCode, 0)
})

t.test('a negative size closes the connection', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  c.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xfe]))
  t.ok(await c.closesWithin(2000))
})

t.test('an unknown api key closes the connection', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const w = new Writer()
  w.int16(999).int16(0).int32(7).nullableString('x')
  c.writeRaw(frame(w.toBuffer()))
  t.ok(await c.closesWithin(2000))
  t.same(c.arrivals, [], 'nothing answered')
})

t.test('a known api key that is not implemented closes the connection', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  // Any API with a generated codec but no handler: not advertised, so not served.
  const registry = createRegistry()
  const missing = API_SPECS.find(s => registry.get(s.apiKey) === undefined)!
  t.ok(missing, 'some API is not served')
  c.writeRaw(frame(encodeRequest(missing.apiKey, missing.minVersion, 3, {})))
  t.ok(await c.closesWithin(2000))
})

t.test('an unsupported version of a known API closes the connection', async t => {
  const b = await startTestBroker(t)
  for (const [apiKey, version] of [[API.Metadata, 99], [API.Produce, 2], [API.Produce, 0], [API.Fetch, 3], [API.ListOffsets, 0], [API.CreateTopics, 1], [API.DeleteTopics, 0]] as const) {
    const c = await b.client()
    const w = new Writer()
    w.int16(apiKey).int16(version).int32(11).nullableString('x')
    c.writeRaw(frame(w.toBuffer()))
    t.ok(await c.closesWithin(2000), `key ${apiKey} v${version} closes`)
    t.same(c.arrivals, [])
  }
})

t.test('ApiVersions v99 is answered at v0 with UNSUPPORTED_VERSION and the ApiVersions range', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  // A newer client sends a flexible (v2) header and a body this broker cannot know.
  const w = new Writer()
  w.int16(API.ApiVersions).int16(99).int32(42).nullableString('future').uvarint(0)
  w.raw(Buffer.from([0x05, 0x01, 0x02, 0x03, 0x04, 0x00]))
  c.writeRaw(frame(w.toBuffer()))
  await new Promise(resolve => setTimeout(resolve, 200))
  t.equal(c.unmatched.length, 1)
  const r = new Reader(c.unmatched[0]!)
  t.equal(r.int32(), 42, 'correlation id echoed, response header v0')
  const body = decodeApiVersionsResponse(r, 0)
  t.equal(r.remaining, 0)
  t.equal(body.errorCode, 35)
  t.same(body.apiKeys, [{ apiKey: 18, minVersion: 0, maxVersion: 4 }])
  t.notOk(c.isClosed, 'the connection stays open for the retry')
  const retry = await c.request(API.ApiVersions, 4, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
  t.equal(retry.errorCode, 0)
})

t.test('a malformed body closes the connection', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const good = encodeRequest(API.Metadata, 12, 5, { topics: [{ name: 'some-topic' }], allowAutoTopicCreation: false })
  // Cut inside the topic name.
  c.writeRaw(frame(good.subarray(0, good.length - 8)))
  t.ok(await c.closesWithin(2000))
  t.same(c.arrivals, [])
  const c2 = await b.client()
  const w = new Writer()
  w.int16(API.Metadata).int16(1).int32(6).nullableString('x').int32(1000000) // a million topics, no bytes
  c2.writeRaw(frame(w.toBuffer()))
  t.ok(await c2.closesWithin(2000), 'array length beyond the frame closes')
})

t.test('a malformed header closes the connection', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  c.writeRaw(frame(Buffer.from([0, 3, 0])))
  t.ok(await c.closesWithin(2000))
})

t.test('pipelined requests are answered in order: a long-poll Fetch holds back a later Metadata', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'order' })
  const started = Date.now()
  const fid = c.send(API.Fetch, 12, fetchBody([{ topic: 'order' }], { maxWaitMs: 500, minBytes: 1 }))
  const fetchDone = c.response(fid, API.Fetch, 12).then(r => ({ r, at: Date.now() }))
  const mid = c.send(API.Metadata, 12, { topics: null })
  const metaDone = c.response(mid, API.Metadata, 12).then(r => ({ r, at: Date.now() }))
  const [f, m] = await Promise.all([fetchDone, metaDone])
  t.same(c.arrivals.slice(-2), [fid, mid], 'Fetch answered first')
  t.ok(f.at - started >= 400, `fetch waited (${f.at - started} ms)`)
  t.ok(m.at >= f.at)
  t.equal(f.r.responses[0].partitions[0].errorCode, 0)
  t.equal(m.r.topics[0].name, 'order')
})

t.test('many pipelined requests come back in request order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'pipe' })
  const ids: number[] = []
  const waits: Promise<unknown>[] = []
  for (let i = 0; i < 30; i++) {
    const kind = i % 3
    if (kind === 0) {
      const id = c.send(API.Produce, 9, produceBody([{ topic: 'pipe', records: await batch(textRecords([`v${i}`])) }]))
      ids.push(id); waits.push(c.response(id, API.Produce, 9))
    } else if (kind === 1) {
      const id = c.send(API.Metadata, 12, { topics: [{ name: 'pipe' }] })
      ids.push(id); waits.push(c.response(id, API.Metadata, 12))
    } else {
      const id = c.send(API.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })
      ids.push(id); waits.push(c.response(id, API.ApiVersions, 3))
    }
  }
  await Promise.all(waits)
  t.same(c.arrivals, [1, ...ids], 'arrival order equals send order')
})

t.test('acks=0 produce gets no response; the next request is answered', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'quiet' })
  const pid = c.fireAndForget(API.Produce, 9, produceBody([{ topic: 'quiet', records: await batch(textRecords(['a', 'b'])) }], 0))
  const m = await metadata(c, ['quiet'])
  t.equal(m.topics[0].errorCode, 0)
  await new Promise(resolve => setTimeout(resolve, 100))
  t.notOk(c.arrivals.includes(pid), 'no response to the acks=0 produce')
  t.notOk(c.isClosed)
  // The data was written nonetheless.
  t.equal(await produceValues(c, 'quiet', ['c']), 2n)
})

t.test('acks=0 produce with an error closes the connection', async t => {
  const b = await startTestBroker(t, { config: { 'auto.create.topics.enable': 'false' } })
  const c = await b.client()
  const pid = c.fireAndForget(API.Produce, 9, produceBody([{ topic: 'nope', records: await batch(textRecords(['a'])) }], 0))
  t.ok(await c.closesWithin(2000))
  t.notOk(c.arrivals.includes(pid))
})

t.test('a request split across many tiny writes is handled', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const bytes = Buffer.concat([
    frame(encodeRequest(API.ApiVersions, 3, 100, { clientSoftwareName: 'tiny', clientSoftwareVersion: '1' })),
    frame(encodeRequest(API.Metadata, 9, 101, { topics: null }))
  ])
  const a = c.expect(100, API.ApiVersions, 3)
  const m = c.expect(101, API.Metadata, 9)
  for (let i = 0; i < bytes.length; i++) {
    c.writeRaw(bytes.subarray(i, i + 1))
    if (i % 7 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  t.equal((await a).errorCode, 0)
  t.equal((await m).brokers[0].port, b.port)
  t.same(c.arrivals, [100, 101])
})

t.test('two requests in one write are both answered', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const a = c.expect(7, API.Metadata, 1)
  const m = c.expect(8, API.Metadata, 12)
  c.writeRaw(Buffer.concat([
    frame(encodeRequest(API.Metadata, 1, 7, { topics: null })),
    frame(encodeRequest(API.Metadata, 12, 8, { topics: null }))
  ]))
  t.equal((await a).controllerId, 1)
  t.equal((await m).controllerId, 1)
})

t.test('graceful stop answers an in-flight long-poll and closes connections', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'stopping' })
  const started = Date.now()
  const id = c.send(API.Fetch, 12, fetchBody([{ topic: 'stopping' }], { maxWaitMs: 5000 }))
  const f = c.response(id, API.Fetch, 12)
  await new Promise(resolve => setTimeout(resolve, 50))
  await b.running.stop()
  const res = await f
  t.equal(res.responses[0].partitions[0].errorCode, 0, 'the long-poll was answered, not dropped')
  t.ok(Date.now() - started < 4000, 'stop did not wait out the long-poll')
  t.ok(await c.closesWithin(2000), 'connection closed by the broker')
  await b.running.stop()
})

t.test('a null client id is accepted', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = c.send(API.Metadata, 9, { topics: null }, { clientId: null })
  const res = await c.response(id, API.Metadata, 9)
  t.equal(res.controllerId, 1)
})

t.test('more pipelined requests than the response queue holds are all answered, in order', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const frames: Buffer[] = []
  const waits: Promise<any>[] = []
  for (let i = 0; i < 700; i++) {
    const id = 1000 + i
    frames.push(frame(encodeRequest(API.ApiVersions, 3, id, { clientSoftwareName: 'bulk', clientSoftwareVersion: '1' })))
    waits.push(c.expect(id, API.ApiVersions, 3))
  }
  c.writeRaw(Buffer.concat(frames))
  const res = await Promise.all(waits)
  t.equal(res.filter(r => r.errorCode === 0).length, 700)
  t.same(c.arrivals, Array.from({ length: 700 }, (_, i) => 1000 + i))
})

t.test('a client that stops reading does not stall other connections', async t => {
  const b = await startTestBroker(t)
  const slow = await b.client()
  await createTopic(slow, { name: 'big' })
  await produceValues(slow, 'big', ['x'.repeat(100000)])
  slow.socket.pause()
  for (let i = 0; i < 200; i++) slow.send(API.Fetch, 12, fetchBody([{ topic: 'big' }]))
  const other = await b.client()
  const m = await metadata(other, ['big'])
  t.equal(m.topics[0].errorCode, 0)
  slow.socket.resume()
})
