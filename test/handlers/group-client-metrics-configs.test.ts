// GROUP and CLIENT_METRICS config resources over the wire: describe, incremental and legacy alter,
// validation errors, listing, and persistence across a restart.
import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'

const DESCRIBE = 32
const ALTER = 33
const INCREMENTAL = 44
const LCR = 74
const SET = 0
const DELETE = 1
const APPEND = 2
const GROUP = 32
const METRICS = 16

const describe = async (c: any, resourceType: number, resourceName: string, includeSynonyms = false): Promise<any> =>
  (await c.request(DESCRIBE, 4, { resources: [{ resourceType, resourceName, configurationKeys: null }], includeSynonyms, includeDocumentation: true })).results[0]
const incremental = async (c: any, resourceType: number, resourceName: string, configs: any[], validateOnly = false): Promise<any> =>
  (await c.request(INCREMENTAL, 1, { resources: [{ resourceType, resourceName, configs }], validateOnly })).responses[0]
const pairs = (r: any): any[] => r.configs.map((x: any) => [x.name, x.value, x.configSource])
/** The consumer.* session and heartbeat entries, the two KIP-848 groups use. */
const consumerPairs = (r: any): any[] => pairs(r).filter(p => p[0] === 'consumer.session.timeout.ms' || p[0] === 'consumer.heartbeat.interval.ms')
const entry = (r: any, name: string): any => pairs(r).find(p => p[0] === name)

t.test('GROUP configs: broker defaults, set within the broker bounds, errors, delete', async t => {
  const b = await startTestBroker(t, { config: { 'group.consumer.heartbeat.interval.ms': '4000', 'group.consumer.min.heartbeat.interval.ms': '3000' } })
  const c = await b.client()
  const d = await describe(c, GROUP, 'g1', true)
  t.equal(d.errorCode, 0)
  t.same(consumerPairs(d), [['consumer.session.timeout.ms', '45000', 5], ['consumer.heartbeat.interval.ms', '4000', 5]], 'defaults are the broker values')
  t.equal(d.configs[0].configType, 3)
  t.ok(d.configs[0].documentation)
  t.equal((await incremental(c, GROUP, 'g1', [{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '50000' }], true)).errorCode, 0)
  t.same(entry(await describe(c, GROUP, 'g1'), 'consumer.session.timeout.ms'), ['consumer.session.timeout.ms', '45000', 5], 'validateOnly writes nothing')
  t.equal((await incremental(c, GROUP, 'g1', [{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '50000' }])).errorCode, 0)
  const set = await describe(c, GROUP, 'g1', true)
  t.same(consumerPairs(set), [['consumer.session.timeout.ms', '50000', 8], ['consumer.heartbeat.interval.ms', '4000', 5]])
  t.same(set.configs[0].synonyms, [{ name: 'consumer.session.timeout.ms', value: '50000', source: 8 }])

  const err = async (configs: any[]): Promise<[number, string]> => {
    const r = await incremental(c, GROUP, 'g1', configs)
    return [r.errorCode, r.errorMessage]
  }
  t.same(await err([{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '70000' }]),
    [40, 'consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms'])
  t.same(await err([{ name: 'consumer.session.timeout.ms', configOperation: SET, value: '1000' }]),
    [40, 'consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms'])
  t.same(await err([{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '16000' }]),
    [40, 'consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms'])
  t.same(await err([{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: 'soon' }]),
    [40, 'Invalid value soon for configuration consumer.heartbeat.interval.ms: Not a number of type INT'])
  t.same(await err([{ name: 'consumer.max.poll.records', configOperation: SET, value: '10' }]), [40, 'Unknown group config name: consumer.max.poll.records'])
  t.same(await err([{ name: 'consumer.session.timeout.ms', configOperation: APPEND, value: '1' }]),
    [40, "Can't APPEND to key consumer.session.timeout.ms because its type is not LIST."])
  t.equal((await incremental(c, GROUP, '', [])).errorCode, 42, 'empty group name')
  t.equal((await describe(c, GROUP, '')).errorCode, 42)
  t.same(entry(await describe(c, GROUP, 'g1'), 'consumer.session.timeout.ms'), ['consumer.session.timeout.ms', '50000', 8], 'failed changes wrote nothing')

  const lcr = (await c.request(LCR, 1, { resourceTypes: [GROUP] })).configResources
  t.same(lcr, [{ resourceName: 'g1', resourceType: GROUP }], 'a group with only configs is listed')
  t.equal((await incremental(c, GROUP, 'g1', [{ name: 'consumer.session.timeout.ms', configOperation: DELETE, value: null }])).errorCode, 0)
  t.same(entry(await describe(c, GROUP, 'g1'), 'consumer.session.timeout.ms'), ['consumer.session.timeout.ms', '45000', 5])
  t.same((await c.request(LCR, 1, { resourceTypes: [GROUP] })).configResources, [], 'no configs left: not listed')

  // AlterConfigs replaces the group's set through the same controller validation.
  const legacy = (await c.request(ALTER, 2, { resources: [{ resourceType: GROUP, resourceName: 'g2', configs: [{ name: 'consumer.heartbeat.interval.ms', value: '6000' }] }], validateOnly: false })).responses[0]
  t.equal(legacy.errorCode, 0)
  t.same(entry(await describe(c, GROUP, 'g2'), 'consumer.heartbeat.interval.ms'), ['consumer.heartbeat.interval.ms', '6000', 8])
})

t.test('CLIENT_METRICS subscriptions: set, append, validate, describe, list', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  // ConfigHelper describes a ClientMetricsConfigs: every config, unset ones at their defaults (DEFAULT_CONFIG).
  t.same(pairs(await describe(c, METRICS, 'sub')), [['interval.ms', '300000', 5], ['match', '', 5], ['metrics', '', 5]], 'an unknown subscription lists the defaults')
  t.equal((await incremental(c, METRICS, 'sub', [
    { name: 'metrics', configOperation: SET, value: 'org.apache.kafka.producer.' },
    { name: 'interval.ms', configOperation: SET, value: '1000' },
    { name: 'match', configOperation: SET, value: 'client_id=app-.*' }
  ])).errorCode, 0)
  t.equal((await incremental(c, METRICS, 'sub', [{ name: 'metrics', configOperation: APPEND, value: 'org.apache.kafka.consumer.' }])).errorCode, 0)
  const d = await describe(c, METRICS, 'sub', true)
  t.same(pairs(d), [['interval.ms', '1000', 7], ['match', 'client_id=app-.*', 7], ['metrics', 'org.apache.kafka.producer.,org.apache.kafka.consumer.', 7]])
  t.same(d.configs.map((x: any) => x.configType), [3, 7, 7])

  const err = async (configs: any[], name = 'sub'): Promise<[number, string]> => {
    const r = await incremental(c, METRICS, name, configs)
    return [r.errorCode, r.errorMessage]
  }
  t.same(await err([{ name: 'interval.ms', configOperation: SET, value: '50' }]), [42, 'Invalid value 50 for interval.ms, interval must be between 100 and 3600000 (1 hour)'])
  t.same(await err([{ name: 'color', configOperation: SET, value: 'red' }]), [42, 'Unknown client metric configuration: color'])
  t.same(await err([{ name: 'match', configOperation: SET, value: 'client_host=x' }]), [40, 'Illegal client matching pattern: client_host=x'])
  t.same(await err([{ name: 'match', configOperation: SET, value: 'client_id=(' }]), [40, 'Illegal client matching pattern: client_id=('])
  t.same(await err([{ name: 'match', configOperation: SET, value: 'client_id=' }]), [40, 'Illegal client matching pattern: client_id='])
  t.same(await err([{ name: 'interval.ms', configOperation: SET, value: 'x' }]), [40, 'Invalid value x for configuration interval.ms: Not a number of type INT'])
  t.same(await err([{ name: 'metrics', configOperation: SET, value: '*' }], ''), [42, "Subscription name can't be empty"])
  t.equal((await describe(c, METRICS, '')).errorCode, 42)
  t.same(pairs(await describe(c, METRICS, 'sub'))[0], ['interval.ms', '1000', 7], 'failed changes wrote nothing')

  t.same((await c.request(LCR, 0, {})).configResources, [{ resourceName: 'sub', resourceType: METRICS }], 'v0 lists subscriptions')
  t.same((await c.request(LCR, 1, { resourceTypes: [METRICS] })).configResources, [{ resourceName: 'sub', resourceType: METRICS }])
  t.equal((await incremental(c, METRICS, 'sub', ['metrics', 'interval.ms', 'match'].map(name => ({ name, configOperation: DELETE, value: null })))).errorCode, 0)
  t.same((await c.request(LCR, 0, {})).configResources, [], 'a subscription with no configs is gone')
})

t.test('group and client-metrics configs survive a restart', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  t.equal((await incremental(c, GROUP, 'g', [{ name: 'consumer.heartbeat.interval.ms', configOperation: SET, value: '7000' }])).errorCode, 0)
  t.equal((await incremental(c, METRICS, 's', [{ name: 'metrics', configOperation: SET, value: '*' }])).errorCode, 0)
  await b.stop()
  const again = await startTestBroker(t, { dir: b.dir })
  const c2 = await again.client()
  t.same(entry(await describe(c2, GROUP, 'g'), 'consumer.heartbeat.interval.ms'), ['consumer.heartbeat.interval.ms', '7000', 8])
  t.same(pairs(await describe(c2, METRICS, 's')), [['interval.ms', '300000', 5], ['match', '', 5], ['metrics', '*', 7]])
})

// Kafka 4.3's GroupConfig names, in its define order, with the defaults a stock broker describes.
const ALL_GROUP_DEFAULTS: Array<[string, string, number]> = [
  ['consumer.session.timeout.ms', '45000', 3], ['consumer.heartbeat.interval.ms', '5000', 3], ['consumer.assignment.interval.ms', '1000', 3],
  ['share.session.timeout.ms', '45000', 3], ['share.heartbeat.interval.ms', '5000', 3], ['share.record.lock.duration.ms', '30000', 3],
  ['share.delivery.count.limit', '5', 3], ['share.partition.max.record.locks', '2000', 3], ['share.auto.offset.reset', 'latest', 2],
  ['share.isolation.level', 'read_uncommitted', 2], ['share.renew.acknowledge.enable', 'true', 1], ['share.assignment.interval.ms', '1000', 3],
  ['streams.session.timeout.ms', '45000', 3], ['streams.heartbeat.interval.ms', '5000', 3], ['streams.num.standby.replicas', '0', 3],
  ['streams.initial.rebalance.delay.ms', '3000', 3], ['streams.assignment.interval.ms', '1000', 3]
]

t.test('every 4.3 group config: described with broker defaults, set by kind, bounded, kept over a restart', async t => {
  const b = await startTestBroker(t, { config: { 'group.share.delivery.count.limit': '7', 'group.streams.max.standby.replicas': '1' } })
  const c = await b.client()
  const d = await describe(c, GROUP, 'g', true)
  t.equal(d.errorCode, 0)
  const expected = ALL_GROUP_DEFAULTS.map(([n, v]) => [n, n === 'share.delivery.count.limit' ? '7' : v, 5])
  t.same(pairs(d), expected, 'all 17, unset ones at the broker value (a broker override shows) or the fixed default')
  t.same(d.configs.map((x: any) => x.configType), ALL_GROUP_DEFAULTS.map(x => x[2]), 'BOOLEAN, STRING and INT types')
  t.ok(d.configs.every((x: any) => typeof x.documentation === 'string' && x.documentation.length > 0), 'each has a documentation line')
  t.ok(d.configs.every((x: any) => x.readOnly === false && x.synonyms.length === 1 && x.synonyms[0].source === 5), 'one DEFAULT_CONFIG synonym each')
  const keyed = (await c.request(DESCRIBE, 4, { resources: [{ resourceType: GROUP, resourceName: 'g', configurationKeys: ['share.isolation.level'] }], includeSynonyms: false, includeDocumentation: false })).results[0]
  t.same(pairs(keyed), [['share.isolation.level', 'read_uncommitted', 5]], 'configurationKeys selects')

  const set = (name: string, value: string): any[] => [{ name, configOperation: SET, value }]
  const ok = async (name: string, value: string): Promise<void> => { t.equal((await incremental(c, GROUP, 'g', set(name, value))).errorCode, 0, `${name}=${value}`) }
  await ok('share.auto.offset.reset', 'by_duration:PT1H30M')
  await ok('share.isolation.level', 'read_committed')
  await ok('share.renew.acknowledge.enable', 'FALSE')
  await ok('share.record.lock.duration.ms', '20000')
  await ok('streams.num.standby.replicas', '1')
  await ok('streams.initial.rebalance.delay.ms', '0')
  await ok('consumer.assignment.interval.ms', '0')
  const after = await describe(c, GROUP, 'g')
  t.same(entry(after, 'share.renew.acknowledge.enable'), ['share.renew.acknowledge.enable', 'false', 8], 'a boolean is described as Kafka parses it')
  t.same(entry(after, 'share.auto.offset.reset'), ['share.auto.offset.reset', 'by_duration:PT1H30M', 8])

  const err = async (name: string, value: string): Promise<[number, string]> => {
    const r = await incremental(c, GROUP, 'g', set(name, value))
    return [r.errorCode, r.errorMessage]
  }
  t.same(await err('share.delivery.count.limit', '11'), [40, 'share.delivery.count.limit must be less than or equal to group.share.max.delivery.count.limit'])
  t.same(await err('share.delivery.count.limit', '1'), [40, 'Invalid value 1 for configuration share.delivery.count.limit: Value must be at least 2'])
  t.same(await err('share.record.lock.duration.ms', '5000'), [40, 'share.record.lock.duration.ms must be greater than or equal to group.share.min.record.lock.duration.ms'])
  t.same(await err('share.partition.max.record.locks', '5000'), [40, 'share.partition.max.record.locks must be less than or equal to group.share.max.partition.max.record.locks'])
  t.same(await err('share.session.timeout.ms', '30000'), [40, 'share.session.timeout.ms must be greater than or equal to group.share.min.session.timeout.ms'])
  t.same(await err('streams.heartbeat.interval.ms', '20000'), [40, 'streams.heartbeat.interval.ms must be less than or equal to group.streams.max.heartbeat.interval.ms'])
  t.same(await err('streams.num.standby.replicas', '2'), [40, 'streams.num.standby.replicas must be less than or equal to group.streams.max.standby.replicas'])
  t.same(await err('streams.assignment.interval.ms', '20000'), [40, 'streams.assignment.interval.ms must be less than or equal to group.streams.max.assignment.interval.ms'])
  t.same(await err('share.isolation.level', 'READ_COMMITTED'), [40, 'Invalid value READ_COMMITTED for configuration share.isolation.level: String must be one of: read_committed, read_uncommitted'])
  t.same(await err('share.auto.offset.reset', 'none'), [40, "Invalid value none for configuration share.auto.offset.reset: Invalid value `none` for configuration share.auto.offset.reset. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS.>'."])
  t.same(await err('share.renew.acknowledge.enable', 'yes'), [40, 'Invalid value yes for configuration share.renew.acknowledge.enable: Expected value to be either true or false'])
  t.same(entry(await describe(c, GROUP, 'g'), 'share.delivery.count.limit'), ['share.delivery.count.limit', '7', 5], 'refused changes wrote nothing')

  await b.stop()
  const again = await startTestBroker(t, { dir: b.dir, config: { 'group.share.delivery.count.limit': '7', 'group.streams.max.standby.replicas': '1' } })
  const kept = await describe(await again.client(), GROUP, 'g')
  t.same(pairs(kept).filter(p => p[2] === 8), [
    ['consumer.assignment.interval.ms', '0', 8], ['share.record.lock.duration.ms', '20000', 8], ['share.auto.offset.reset', 'by_duration:PT1H30M', 8],
    ['share.isolation.level', 'read_committed', 8], ['share.renew.acknowledge.enable', 'false', 8],
    ['streams.num.standby.replicas', '1', 8], ['streams.initial.rebalance.delay.ms', '0', 8]
  ], 'every kind of override is replayed from the metadata log')
})
