import t from 'tap'
import { MetadataImage } from '../../src/metadata/image.js'
import { RequestQuotaManager, ControllerMutationQuotaManager, ConnectionQuotas, ThrottlingQuotaExceededError, ANONYMOUS_USER, normalizeIp } from '../../src/broker/quotas.js'

function imageWith (entity: { entityType: string, entityName: string | null }[], key: string, value: number): MetadataImage {
  const image = new MetadataImage()
  image.apply({ type: 'ClientQuotaRecord', data: { entity, key, value, remove: false } })
  return image
}

t.test('request_percentage: handler ms as a percentage of one thread, throttle bounded by one window', async t => {
  const now = 1_000_000
  const image = imageWith([{ entityType: 'client-id', entityName: 'c' }], 'request_percentage', 10)
  const m = new RequestQuotaManager(image, { samples: 11, windowMs: 1000 }, () => now)
  t.ok(m.active())
  // 500 ms over the 10 s minimum window is 5%: within 10%.
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 500), 0)
  // 1100 ms total is 11%: (11 - 10) / 10 * 10000 = 1000 ms, exactly the bound.
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 600), 1000)
  // Far over: bounded by quota.window.size.seconds.
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 5000), 1000)
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'd', 5000), 0, 'no quota for another client')
  t.notOk(new RequestQuotaManager(new MetadataImage(), { samples: 11, windowMs: 1000 }).active(), 'no quotas: inactive')
})

t.test('request_percentage: network time counts without throttling', async t => {
  const image = imageWith([{ entityType: 'client-id', entityName: 'c' }], 'request_percentage', 10)
  const m = new RequestQuotaManager(image, { samples: 11, windowMs: 1000 }, () => 5000)
  m.recordNoThrottle(ANONYMOUS_USER, 'c', 1000)
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 100), 1000, '11% after 1000 + 100 ms')
})

t.test('controller_mutation_rate: token bucket, strict and permissive as Kafka\'s tests', async t => {
  let now = 10_000
  const image = imageWith([{ entityType: 'user', entityName: null }], 'controller_mutation_rate', 10)
  const m = new ControllerMutationQuotaManager(image, { samples: 10, windowMs: 1000 }, () => now)
  const strict = m.newQuotaFor(ANONYMOUS_USER, 'c', true)
  t.ok(strict.bounded)
  strict.record(90) // 100 - 90 = 10 tokens
  t.equal(strict.throttleTime(), 0)
  strict.record(90) // -80: still accepted, the bucket was not empty
  t.equal(strict.throttleTime(), 0)
  let thrown: unknown
  try { strict.record(1) } catch (e) { thrown = e }
  t.ok(thrown instanceof ThrottlingQuotaExceededError, 'refused once the bucket is empty')
  t.equal((thrown as ThrottlingQuotaExceededError).throttleTimeMs, 8000)
  t.equal(strict.throttleTime(), 8000, '80 tokens at 10/s')
  now += 1000
  t.equal(strict.throttleTime(), 7000, 'reduced by the time elapsed')
  const permissive = m.newQuotaFor(ANONYMOUS_USER, 'c', false)
  permissive.record(5)
  t.equal(permissive.throttleTime(), 7500, 'accepted, then throttled for -75 tokens')
  now += 8000
  const later = m.newQuotaFor(ANONYMOUS_USER, 'c', true)
  later.record(1)
  t.equal(later.throttleTime(), 0, 'refilled')
  t.notOk(new ControllerMutationQuotaManager(new MetadataImage(), { samples: 10, windowMs: 1000 }).newQuotaFor(ANONYMOUS_USER, 'c', true).bounded)
})

t.test('connection_creation_rate: specific ip over default ip, throttled connections not counted', async t => {
  let now = 50_000
  const image = imageWith([{ entityType: 'ip', entityName: null }], 'connection_creation_rate', 1)
  image.apply({ type: 'ClientQuotaRecord', data: { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }], key: 'connection_creation_rate', value: 100, remove: false } })
  const q = new ConnectionQuotas(image, { samples: 11, windowMs: 1000 }, () => now)
  // Default ip: 1/s over the 10 s minimum window allows 10 connections.
  for (let i = 0; i < 10; i++) t.equal(q.recordConnectionAndGetThrottleMs('::ffff:10.0.0.2'), 0)
  t.equal(q.recordConnectionAndGetThrottleMs('10.0.0.2'), 1000, '(1.1 - 1) / 1 * 10000, bounded by one window')
  t.equal(q.recordConnectionAndGetThrottleMs('10.0.0.2'), 1000, 'the refused one did not count, the next is refused too')
  for (let i = 0; i < 50; i++) t.equal(q.recordConnectionAndGetThrottleMs('10.0.0.1'), 0)
  now += 11_000
  t.equal(q.recordConnectionAndGetThrottleMs('10.0.0.2'), 0, 'window passed')
  t.equal(normalizeIp('::ffff:1.2.3.4'), '1.2.3.4')
  t.equal(normalizeIp('::1'), '::1')
})
