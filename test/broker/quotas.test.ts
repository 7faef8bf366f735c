import t from 'tap'
import { MetadataImage } from '../../src/metadata/image.js'
import { ClientQuotaManager, ANONYMOUS_USER } from '../../src/broker/quotas.js'

function imageWith (entity: { entityType: string, entityName: string | null }[], key: string, value: number): MetadataImage {
  const image = new MetadataImage()
  image.apply({ type: 'ClientQuotaRecord', data: { entity, key, value, remove: false } })
  return image
}

t.test('throttle time follows Kafka\'s (rate - bound) / bound * window over 11 one-second samples', async t => {
  let now = 1_000_000
  const image = imageWith([{ entityType: 'client-id', entityName: 'c' }], 'producer_byte_rate', 1000)
  const m = new ClientQuotaManager(image, 'producer_byte_rate', { samples: 11, windowMs: 1000 }, () => now)
  // 5000 bytes over the minimum 10 s window is 500 B/s: within the quota.
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 5000), 0)
  // 20000 bytes is 2000 B/s: (2000 - 1000) / 1000 * 10000 ms.
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 15000), 10000)
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'other', 1e9), 0, 'another client id has no quota')
  // After the whole window has passed, the old samples are gone.
  now += 11_000
  t.equal(m.recordAndGetThrottleTimeMs(ANONYMOUS_USER, 'c', 100), 0)
  t.equal(m.maxValueInQuotaWindow(ANONYMOUS_USER, 'c'), 10000)
  t.equal(m.maxValueInQuotaWindow(ANONYMOUS_USER, 'x'), Infinity)
})

t.test('quota precedence: user+client over user over default user over client-id', async t => {
  const image = new MetadataImage()
  const set = (entity: [string, string | null][], value: number): void => image.apply({ type: 'ClientQuotaRecord', data: { entity: entity.map(([entityType, entityName]) => ({ entityType, entityName })), key: 'consumer_byte_rate', value, remove: false } })
  set([['client-id', 'c']], 1)
  set([['user', null]], 2)
  set([['user', 'ANONYMOUS']], 3)
  set([['user', 'ANONYMOUS'], ['client-id', 'c']], 4)
  const m = new ClientQuotaManager(image, 'consumer_byte_rate', { samples: 2, windowMs: 1000 })
  t.equal(m.maxValueInQuotaWindow(ANONYMOUS_USER, 'c'), 4)
  image.apply({ type: 'ClientQuotaRecord', data: { entity: [{ entityType: 'client-id', entityName: 'c' }, { entityType: 'user', entityName: 'ANONYMOUS' }], key: 'consumer_byte_rate', value: 0, remove: true } })
  t.equal(m.maxValueInQuotaWindow(ANONYMOUS_USER, 'c'), 3, 'entity order does not matter; removal falls through')
  t.equal(image.clientQuotas.size, 3, 'an entity with no quota left is dropped')
  t.equal(m.maxValueInQuotaWindow('bob', 'c'), 2, 'the default user applies to other users')
})
