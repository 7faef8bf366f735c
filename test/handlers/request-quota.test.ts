import t, { type Test } from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import type { RawClient } from '../helpers/raw-client.js'

const API_VERSIONS = 18
const body = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' }

interface Timed { throttle: number, start: number, end: number, ms: number }

const timed = async (t: Test, c: RawClient, clientId: string): Promise<Timed> => {
  const start = performance.now()
  const id = c.send(API_VERSIONS, 3, body, { clientId })
  const res = await c.response(id, API_VERSIONS, 3)
  t.equal(res.errorCode, 0)
  const end = performance.now()
  return { throttle: res.throttleTimeMs, start, end, ms: end - start }
}

t.test('request_percentage: the client over its quota gets a throttle time and is muted; another client is not', async t => {
  // Two 1 s samples keep the throttle bound (one window) and the test short.
  const b = await startTestBroker(t, { config: { 'quota.window.num': '2', 'quota.window.size.seconds': '1' } })
  const admin = await b.client()
  const res = await admin.request(49, 1, { entries: [{ entity: [{ entityType: 'client-id', entityName: 'slow' }], ops: [{ key: 'request_percentage', value: 0.0001, remove: false }] }], validateOnly: false })
  t.equal(res.entries[0].errorCode, 0)

  const slow = await b.client()
  let first = await timed(t, slow, 'slow')
  for (let i = 0; i < 20 && first.throttle === 0; i++) first = await timed(t, slow, 'slow')
  t.ok(first.throttle > 0 && first.throttle <= 1000, `throttle ${first.throttle}`)

  // The broker stopped reading this connection for the throttle time from when it answered (after the
  // throttled request was sent), so the next answer comes no sooner than the throttle time after that send.
  const afterMute = await timed(t, slow, 'slow')
  const sinceThrottled = afterMute.end - first.start
  t.ok(sinceThrottled >= first.throttle - 5, `next answer ${sinceThrottled.toFixed(0)} ms after the throttled request, throttle ${first.throttle} ms`)

  const fast = await b.client()
  const other = await timed(t, fast, 'fast')
  t.equal(other.throttle, 0)
  t.ok(other.ms < afterMute.ms, `unthrottled ${other.ms.toFixed(0)} ms < muted ${afterMute.ms.toFixed(0)} ms`)
})
