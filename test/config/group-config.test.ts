// Kafka 4.3's GroupConfig: the definitions, the broker-synonym defaults, GroupConfig.validate's checks and
// messages, share.auto.offset.reset's strategy syntax, and that share/streams overrides leave KIP-848
// groups alone.
import t from 'tap'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { ConfigError } from '../../src/config/config-def.js'
import { GROUP_CONFIG_DOCS } from '../../src/config/config-docs.js'
import {
  GROUP_CONFIGS, GROUP_CONFIG_BROKER_DEFAULT, groupConfigDef, groupConfigDefault, isShareResetStrategy, validateGroupConfigs
} from '../../src/config/group-config.js'
import { incrementalAlterConfigs } from '../../src/broker/config-admin.js'
import { openHarness } from '../coordinator/harness.js'

const brokerWith = (overrides: Record<string, string> = {}): (name: string) => number => {
  const config = new BrokerConfig(new Map(Object.entries(overrides)))
  return name => config.get(name) as number
}
const check = (configs: Record<string, string>, broker = brokerWith()): string | undefined => {
  try {
    validateGroupConfigs(new Map(Object.entries(configs)), broker)
    return undefined
  } catch (e) {
    if (e instanceof ConfigError) return e.message
    throw e
  }
}

t.test('the 4.3 set: names, types, Kafka defaults, broker synonyms that exist, docs', async t => {
  t.same(GROUP_CONFIGS.map(d => d.name), [
    'consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms', 'consumer.assignment.interval.ms',
    'share.session.timeout.ms', 'share.heartbeat.interval.ms', 'share.record.lock.duration.ms', 'share.delivery.count.limit',
    'share.partition.max.record.locks', 'share.auto.offset.reset', 'share.isolation.level', 'share.renew.acknowledge.enable',
    'share.assignment.interval.ms', 'streams.session.timeout.ms', 'streams.heartbeat.interval.ms', 'streams.num.standby.replicas',
    'streams.initial.rebalance.delay.ms', 'streams.assignment.interval.ms'
  ])
  const broker = new BrokerConfig(new Map())
  for (const def of GROUP_CONFIGS) {
    t.ok(GROUP_CONFIG_DOCS[def.name], `${def.name} has a doc line`)
    const synonym = GROUP_CONFIG_BROKER_DEFAULT[def.name]
    // GroupConfig's own default is the broker config's default, so a stock broker describes the same value.
    if (synonym !== undefined) t.equal(String(broker.get(synonym)), def.default, `${def.name} defaults like ${synonym}`)
  }
  t.same(GROUP_CONFIGS.length - Object.keys(GROUP_CONFIG_BROKER_DEFAULT).length, 3, 'reset, isolation level and renew have no broker synonym')
  t.equal(groupConfigDefault(groupConfigDef('share.isolation.level')!, brokerWith()), 'read_uncommitted')
  t.equal(groupConfigDefault(groupConfigDef('streams.num.standby.replicas')!, brokerWith({ 'group.streams.num.standby.replicas': '1' })), '1')
  t.equal(groupConfigDef('share.renew.acknowledge.enable')!.type, 'boolean')
})

t.test('validate: names first, then parsing in define order, then bounds, then session > heartbeat', async t => {
  t.equal(check({}), undefined, 'no overrides: the broker defaults are valid')
  t.equal(check({ 'consumer.session.timeout.ms': '50000', 'share.renew.acknowledge.enable': 'false', 'streams.num.standby.replicas': '2' }), undefined)
  t.equal(check({ 'share.session.timeout.ms': 'x', 'bogus': '1' }), 'Unknown group config name: bogus')
  t.equal(check({ 'share.isolation.level': 'dirty', 'consumer.heartbeat.interval.ms': 'x' }),
    'Invalid value x for configuration consumer.heartbeat.interval.ms: Not a number of type INT', 'the earlier-defined config is reported')
  t.equal(check({ 'share.record.lock.duration.ms': '999' }), 'Invalid value 999 for configuration share.record.lock.duration.ms: Value must be at least 1000')
  t.equal(check({ 'share.partition.max.record.locks': '99' }), 'Invalid value 99 for configuration share.partition.max.record.locks: Value must be at least 100')
  t.equal(check({ 'streams.num.standby.replicas': '-1' }), 'Invalid value -1 for configuration streams.num.standby.replicas: Value must be at least 0')
  t.equal(check({ 'consumer.assignment.interval.ms': '-1' }), 'Invalid value -1 for configuration consumer.assignment.interval.ms: Value must be at least 0')

  const bounds: Array<[string, string, string]> = [
    ['consumer.heartbeat.interval.ms', '4999', 'greater than or equal to group.consumer.min.heartbeat.interval.ms'],
    ['consumer.heartbeat.interval.ms', '15001', 'less than or equal to group.consumer.max.heartbeat.interval.ms'],
    ['consumer.session.timeout.ms', '44999', 'greater than or equal to group.consumer.min.session.timeout.ms'],
    ['consumer.session.timeout.ms', '60001', 'less than or equal to group.consumer.max.session.timeout.ms'],
    ['consumer.assignment.interval.ms', '15001', 'less than or equal to group.consumer.max.assignment.interval.ms'],
    ['share.heartbeat.interval.ms', '4999', 'greater than or equal to group.share.min.heartbeat.interval.ms'],
    ['share.heartbeat.interval.ms', '15001', 'less than or equal to group.share.max.heartbeat.interval.ms'],
    ['share.session.timeout.ms', '60001', 'less than or equal to group.share.max.session.timeout.ms'],
    ['share.record.lock.duration.ms', '14999', 'greater than or equal to group.share.min.record.lock.duration.ms'],
    ['share.record.lock.duration.ms', '60001', 'less than or equal to group.share.max.record.lock.duration.ms'],
    ['share.delivery.count.limit', '11', 'less than or equal to group.share.max.delivery.count.limit'],
    ['share.partition.max.record.locks', '4001', 'less than or equal to group.share.max.partition.max.record.locks'],
    ['share.assignment.interval.ms', '15001', 'less than or equal to group.share.max.assignment.interval.ms'],
    ['streams.heartbeat.interval.ms', '4999', 'greater than or equal to group.streams.min.heartbeat.interval.ms'],
    ['streams.session.timeout.ms', '44999', 'greater than or equal to group.streams.min.session.timeout.ms'],
    ['streams.session.timeout.ms', '60001', 'less than or equal to group.streams.max.session.timeout.ms'],
    ['streams.num.standby.replicas', '3', 'less than or equal to group.streams.max.standby.replicas'],
    ['streams.assignment.interval.ms', '15001', 'less than or equal to group.streams.max.assignment.interval.ms']
  ]
  for (const [name, value, rule] of bounds) t.equal(check({ [name]: value }), `${name} must be ${rule}`, `${name}=${value}`)

  // The bounds are the broker's current ones, and raising them lets the value through.
  const wide = brokerWith({ 'group.share.min.delivery.count.limit': '3', 'group.share.max.delivery.count.limit': '20' })
  t.equal(check({ 'share.delivery.count.limit': '15' }, wide), undefined)
  t.equal(check({ 'share.delivery.count.limit': '2' }, wide), 'share.delivery.count.limit must be greater than or equal to group.share.min.delivery.count.limit')
  t.equal(check({ 'consumer.assignment.interval.ms': '0' }, brokerWith({ 'group.consumer.min.assignment.interval.ms': '100' })),
    'consumer.assignment.interval.ms must be greater than or equal to group.consumer.min.assignment.interval.ms')

  // Bounds are all checked before any session/heartbeat pair; the pairs use the broker value for the unset side.
  const loose = brokerWith({
    'group.consumer.min.session.timeout.ms': '1000', 'group.share.min.session.timeout.ms': '1000', 'group.streams.min.session.timeout.ms': '1000'
  })
  t.equal(check({ 'consumer.session.timeout.ms': '5000' }, loose), 'consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms')
  t.equal(check({ 'share.session.timeout.ms': '4000' }, loose), 'share.session.timeout.ms must be greater than share.heartbeat.interval.ms')
  t.equal(check({ 'streams.session.timeout.ms': '5000', 'share.session.timeout.ms': '4000' }, loose),
    'share.session.timeout.ms must be greater than share.heartbeat.interval.ms', 'share before streams')
  t.equal(check({ 'streams.session.timeout.ms': '5000', 'share.heartbeat.interval.ms': '16000' }, loose),
    'share.heartbeat.interval.ms must be less than or equal to group.share.max.heartbeat.interval.ms', 'bounds before the pairs')
  t.equal(check({ 'streams.session.timeout.ms': '6000' }, loose), undefined)
})

t.test('share.auto.offset.reset: earliest, latest, by_duration with a non-negative ISO-8601 duration', async t => {
  for (const s of ['earliest', 'latest', 'by_duration:PT1H', 'by_duration:P1D', 'by_duration:P2DT3H4M5.5S', 'by_duration:pt0s', 'by_duration:PT-0S', 'by_duration:+P1D', 'by_duration:P1DT-1H']) {
    t.ok(isShareResetStrategy(s), s)
  }
  for (const s of ['none', 'EARLIEST', 'by_duration', 'by_duration:', 'by_duration:P', 'by_duration:PT', 'by_duration:-PT1H', 'by_duration:PT-1S', 'by_duration:1H', 'by_duration:P1W', 'by_duration:PT1.1234567890S']) {
    t.notOk(isShareResetStrategy(s), s)
  }
  t.equal(check({ 'share.auto.offset.reset': ' earliest ' }), undefined, 'trimmed like any Kafka string config')
})

t.test('share and streams overrides leave a KIP-848 group on its consumer.* values', async t => {
  const h = await openHarness(t)
  const [r] = await incrementalAlterConfigs(h.broker, [{ resourceType: 32, resourceName: 'g', configs: [
    { name: 'share.heartbeat.interval.ms', configOperation: 0, value: '9000' },
    { name: 'streams.heartbeat.interval.ms', configOperation: 0, value: '9000' },
    { name: 'consumer.heartbeat.interval.ms', configOperation: 0, value: '6000' }
  ] }], false)
  t.equal(r!.errorCode, 0)
  const resp = await h.groups.consumer.heartbeat({
    groupId: 'g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1
  })
  t.equal(resp.errorCode, 0)
  t.equal(resp.heartbeatIntervalMs, 6000, 'only consumer.heartbeat.interval.ms reaches a consumer group member')
})
