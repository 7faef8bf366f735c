import t from 'tap'
import { MetadataImage } from '../../src/metadata/image.js'
import { ConnectionQuotas, ConnectionLimits, type ConnectionLimitConfig } from '../../src/broker/quotas.js'
import { BrokerConfig, parsePerIpOverrides } from '../../src/config/broker-config.js'

const MAX = 2147483647
const window = { samples: 2, windowMs: 1000 }
const cfg = (over: Partial<ConnectionLimitConfig>): ConnectionLimitConfig => ({ maxConnections: MAX, maxConnectionsPerIp: MAX, perIpOverrides: new Map(), maxConnectionCreationRate: MAX, ...over })

t.test('Kafka defaults: every connection limit unlimited', async t => {
  const c = new BrokerConfig()
  for (const name of ['max.connections', 'max.connections.per.ip', 'max.connection.creation.rate']) t.equal(c.int(name), MAX, name)
  t.equal(c.str('max.connections.per.ip.overrides'), '')
  t.same([...parsePerIpOverrides(' 10.0.0.1:5, ::1:0 ')], [['10.0.0.1', 5], ['::1', 0]])
  t.throws(() => new BrokerConfig(new Map([['max.connections.per.ip.overrides', '10.0.0.1']])))
  t.throws(() => new BrokerConfig(new Map([['max.connections.per.ip.overrides', '10.0.0.1:-1']])))
  t.throws(() => new BrokerConfig(new Map([['max.connections', '-1']])))
  t.throws(() => new BrokerConfig(new Map([['max.connections.per.ip', '0']])), /can be set to zero only if max.connections.per.ip.overrides/)
  t.equal(new BrokerConfig(new Map([['max.connections.per.ip', '0'], ['max.connections.per.ip.overrides', '127.0.0.1:5']])).int('max.connections.per.ip'), 0)
})

t.test('max.connection.creation.rate: accepting is delayed once the broker-wide rate is exceeded', async t => {
  let now = 10_000
  const limits = new ConnectionLimits(new ConnectionQuotas(new MetadataImage(), window, () => now), cfg({ maxConnectionCreationRate: 2 }), window, () => now)
  // Two connections over the 1 s minimum window are within 2/s.
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0)
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0)
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 500, '(3 - 2) / 2 * 1000')
  // The delayed one still counts (Kafka accepts it after the delay).
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 1000, '(4 - 2) / 2 * 1000, bounded by one window')
  now += 2_000
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0, 'the window has passed')

  const unlimited = new ConnectionLimits(new ConnectionQuotas(new MetadataImage(), window, () => now), cfg({}), window, () => now)
  for (let i = 0; i < 1000; i++) t.equal(unlimited.recordBrokerConnectionAndGetDelayMs(), 0)
})

t.test('an ip throttled by connection_creation_rate is taken back from the broker-wide rate', async t => {
  const now = 10_000
  const image = new MetadataImage()
  image.apply({ type: 'ClientQuotaRecord', data: { entity: [{ entityType: 'ip', entityName: '10.0.0.9' }], key: 'connection_creation_rate', value: 1, remove: false } })
  const limits = new ConnectionLimits(new ConnectionQuotas(image, window, () => now), cfg({ maxConnectionCreationRate: 2 }), window, () => now)
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0)
  t.same(limits.admit('10.0.0.9'), { kind: 'accepted' })
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0)
  t.same(limits.admit('10.0.0.9'), { kind: 'throttled', ms: 1000 })
  // Had the throttled one stayed recorded, this third would be over 2/s.
  t.equal(limits.recordBrokerConnectionAndGetDelayMs(), 0)
  t.same(limits.admit('10.0.0.1'), { kind: 'accepted' })
  t.equal(limits.totalConnections, 2, 'throttled connections are not counted')
})

t.test('max.connections blocks the acceptor; max.connections.per.ip and its overrides refuse at once', async t => {
  const now = 10_000
  const limits = new ConnectionLimits(new ConnectionQuotas(new MetadataImage(), window, () => now),
    cfg({ maxConnections: 3, maxConnectionsPerIp: 1, perIpOverrides: new Map([['10.0.0.2', 2], ['10.0.0.3', 0]]) }), window, () => now)
  t.same(limits.admit('10.0.0.1'), { kind: 'accepted' })
  t.same(limits.admit('::ffff:10.0.0.1'), { kind: 'tooMany', max: 1 }, 'IPv4-mapped peers count as their IPv4 address')
  t.same(limits.admit('10.0.0.3'), { kind: 'tooMany', max: 0 })
  t.ok(limits.slotAvailable())
  t.same(limits.admit('10.0.0.2'), { kind: 'accepted' })
  t.same(limits.admit('10.0.0.2'), { kind: 'accepted' })
  t.equal(limits.connectionsFrom('10.0.0.2'), 2)
  t.notOk(limits.slotAvailable(), 'three open connections reach max.connections')
  limits.release('10.0.0.2')
  t.ok(limits.slotAvailable())
  t.equal(limits.connectionsFrom('10.0.0.2'), 1)
  limits.release('10.0.0.1')
  limits.release('10.0.0.1')
  t.equal(limits.totalConnections, 1, 'releasing an address with no connections is ignored')
})
