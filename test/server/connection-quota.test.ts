import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { RawClient, ConnectionClosedError } from '../helpers/raw-client.js'

const API_VERSIONS = 18
const body = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' }

t.test('connection_creation_rate for the default ip: connections over the rate are closed unserved after the throttle', async t => {
  // Two 1 s samples: the rate is counted over at least one second, so a rate of 2 admits two new connections.
  const b = await startTestBroker(t, { config: { 'quota.window.num': '2', 'quota.window.size.seconds': '1' } })
  const admin = await b.client()
  const res = await admin.request(49, 1, { entries: [{ entity: [{ entityType: 'ip', entityName: null }], ops: [{ key: 'connection_creation_rate', value: 2, remove: false }] }], validateOnly: false })
  t.equal(res.entries[0].errorCode, 0)

  const opened: { c: RawClient, at: number }[] = []
  for (let i = 0; i < 4; i++) {
    const at = performance.now()
    const c = await RawClient.connect(b.port)
    t.teardown(() => c.close())
    opened.push({ c, at })
  }
  const outcomes = await Promise.all(opened.map(async ({ c, at }) => {
    try {
      const r = await c.request(API_VERSIONS, 3, body)
      return { served: r.errorCode === 0, closedAfter: -1 }
    } catch (e) {
      if (!(e instanceof ConnectionClosedError)) throw e
      return { served: false, closedAfter: performance.now() - at }
    }
  }))
  t.same(outcomes.map(o => o.served), [true, true, false, false], 'the first two within the rate are served')
  for (const o of outcomes.slice(2)) {
    // Kafka holds a throttled connection open, unread, for its throttle time (here up to one 1 s window).
    t.ok(o.closedAfter >= 100, `closed after ${o.closedAfter.toFixed(0)} ms, not at once`)
  }
  t.notOk(opened[0]!.c.isClosed, 'a served connection stays open')

  // Removing the quota lets new connections through again.
  const removed = await admin.request(49, 1, { entries: [{ entity: [{ entityType: 'ip', entityName: null }], ops: [{ key: 'connection_creation_rate', value: 0, remove: true }] }], validateOnly: false })
  t.equal(removed.entries[0].errorCode, 0)
  const again = await b.client()
  t.equal((await again.request(API_VERSIONS, 3, body)).errorCode, 0)
})

const answersWithin = async (c: RawClient, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined
  const answered = c.request(API_VERSIONS, 3, body).then(() => true)
  try {
    return await Promise.race([answered, new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), ms) })])
  } finally {
    clearTimeout(timer)
  }
}

t.test('max.connections: the acceptor takes no more connections until one closes', async t => {
  const b = await startTestBroker(t, { config: { 'max.connections': '2' } })
  const first = await b.client()
  const second = await b.client()
  t.ok(await answersWithin(second, 5000))
  const third = await b.client()
  const waiting = third.request(API_VERSIONS, 3, body)
  t.notOk(await answersWithin(third, 300), 'the third connection is not served while two are open')
  t.notOk(third.isClosed, 'nor closed: it waits for a slot')
  await first.close()
  t.equal((await waiting).errorCode, 0, 'served once a slot frees')
})

t.test('max.connections.per.ip: a connection above the limit is closed at once, unserved', async t => {
  const b = await startTestBroker(t, { config: { 'max.connections.per.ip': '2' } })
  const first = await b.client()
  const second = await b.client()
  const third = await b.client()
  await t.rejects(third.request(API_VERSIONS, 3, body), ConnectionClosedError)
  t.ok(await answersWithin(first, 5000))
  t.ok(await answersWithin(second, 5000))
  await first.close()
  // The broker sees the close a moment after the client does; until then a new connection is still refused.
  let served = false
  for (let i = 0; i < 50 && !served; i++) {
    const again = await b.client()
    served = await answersWithin(again, 5000).catch(() => false)
    if (!served) await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.ok(served, 'a closed connection frees its place')
})

t.test('max.connection.creation.rate: a connection over the broker-wide rate is served after a delay', async t => {
  const b = await startTestBroker(t, { config: { 'max.connection.creation.rate': '1', 'quota.window.num': '2', 'quota.window.size.seconds': '1' } })
  let start = performance.now()
  const first = await b.client()
  t.equal((await first.request(API_VERSIONS, 3, body)).errorCode, 0)
  const firstMs = performance.now() - start
  start = performance.now()
  const second = await b.client()
  t.equal((await second.request(API_VERSIONS, 3, body)).errorCode, 0, 'delayed, not refused')
  const secondMs = performance.now() - start
  // Over 1/s by one connection: held (2 - 1) / 1 * 1000 ms before the acceptor takes it.
  t.ok(secondMs >= 500 && secondMs > firstMs, `second served after ${secondMs.toFixed(0)} ms, first after ${firstMs.toFixed(0)} ms`)
})
