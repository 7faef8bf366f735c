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
