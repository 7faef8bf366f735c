import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, produce, batch, textRecords } from '../helpers/kafka.js'

const DESCRIBE = 32
const ALTER = 33
const INCREMENTAL = 44
const SET = 0
const DELETE = 1
const APPEND = 2
const SUBTRACT = 3

const overrides = async (c: any, topic: string): Promise<Record<string, string>> => {
  const r = (await c.request(DESCRIBE, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }], includeSynonyms: false, includeDocumentation: false })).results[0]
  return Object.fromEntries(r.configs.filter((x: any) => x.configSource === 1).map((x: any) => [x.name, x.value]))
}
const incremental = async (c: any, resources: any[], validateOnly = false, version = 1): Promise<any[]> =>
  (await c.request(INCREMENTAL, version, { resources, validateOnly })).responses
const legacy = async (c: any, resources: any[], validateOnly = false, version = 2): Promise<any[]> =>
  (await c.request(ALTER, version, { resources, validateOnly })).responses

t.test('IncrementalAlterConfigs on a topic: SET, DELETE, APPEND, SUBTRACT, validateOnly', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'inc' })
  const one = async (configs: any[], validateOnly = false): Promise<any> => (await incremental(c, [{ resourceType: 2, resourceName: 'inc', configs }], validateOnly))[0]
  t.equal((await one([{ name: 'retention.ms', configOperation: SET, value: '1000' }], true)).errorCode, 0)
  t.same(await overrides(c, 'inc'), {}, 'validateOnly writes nothing')
  t.equal((await one([{ name: 'retention.ms', configOperation: SET, value: '1000' }, { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, 0)
  t.same(await overrides(c, 'inc'), { 'cleanup.policy': 'delete,compact', 'retention.ms': '1000' }, 'APPEND starts from the default')
  t.equal((await one([{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }, { name: 'retention.ms', configOperation: DELETE, value: null }])).errorCode, 0)
  t.same(await overrides(c, 'inc'), { 'cleanup.policy': 'compact' })
  const notList = await one([{ name: 'retention.ms', configOperation: APPEND, value: '1' }])
  t.same([notList.errorCode, notList.errorMessage], [40, "Can't APPEND to key retention.ms because its type is not LIST."])
  const bad = await one([{ name: 'retention.ms', configOperation: SET, value: 'soon' }])
  t.same([bad.errorCode, bad.errorMessage], [40, 'Invalid value soon for configuration retention.ms: Not a number of type LONG'])
  const unknown = await one([{ name: 'retention.foo', configOperation: SET, value: '1' }])
  t.same([unknown.errorCode, unknown.errorMessage], [40, 'Unknown topic config name: retention.foo'])
  const lag = await one([{ name: 'min.compaction.lag.ms', configOperation: SET, value: '10' }, { name: 'max.compaction.lag.ms', configOperation: SET, value: '5' }])
  t.equal(lag.errorCode, 40)
  const nul = await one([{ name: 'retention.ms', configOperation: SET, value: null }])
  t.same([nul.errorCode, nul.errorMessage], [42, 'Null value not supported for : retention.ms'])
  t.equal((await one([{ name: 'retention.ms', configOperation: SET, value: '1' }, { name: 'retention.ms', configOperation: DELETE, value: null }])).errorCode, 42, 'duplicate keys')
  t.equal((await one([{ name: 'retention.ms', configOperation: 9, value: '1' }])).errorCode, 42)
  t.same(await overrides(c, 'inc'), { 'cleanup.policy': 'compact' }, 'failed changes wrote nothing')
  const missing = (await incremental(c, [{ resourceType: 2, resourceName: 'nope', configs: [] }]))[0]
  t.same([missing.errorCode, missing.errorMessage], [3, "The topic 'nope' does not exist."])
  // The controller validates the name and the values before it checks that the topic exists.
  const missingBad = (await incremental(c, [{ resourceType: 2, resourceName: 'nope', configs: [{ name: 'retention.ms', configOperation: SET, value: 'x' }] }]))[0]
  t.same([missingBad.errorCode, missingBad.errorMessage], [40, 'Invalid value x for configuration retention.ms: Not a number of type LONG'])
  const noName = (await incremental(c, [{ resourceType: 2, resourceName: '', configs: [] }]))[0]
  t.same([noName.errorCode, noName.errorMessage], [42, 'Default topic resources are not allowed.'])
  const huge = await one([{ name: 'follower.replication.throttled.replicas', configOperation: SET, value: 'x'.repeat(32768) }])
  t.same([huge.errorCode, huge.errorMessage], [40, 'The configuration value cannot be added because it exceeds the maximum value size of 32767 bytes.'])
  const twice = await incremental(c, [{ resourceType: 2, resourceName: 'inc', configs: [] }, { resourceType: 2, resourceName: 'inc', configs: [] }])
  t.same(twice.map(r => [r.errorCode, r.errorMessage]), [[42, 'Each resource must appear at most once.'], [42, 'Each resource must appear at most once.']])
  t.equal((await incremental(c, [{ resourceType: 2, resourceName: 'inc', configs: [{ name: 'segment.ms', configOperation: SET, value: '60000' }] }], false, 0))[0].errorCode, 0, 'v0')
})

t.test('AlterConfigs replaces the whole set; BROKER_LOGGER is refused', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'legacy', configs: { 'retention.ms': '5000', 'segment.ms': '60000' } })
  for (let v = 0; v <= 2; v++) {
    const [r] = await legacy(c, [{ resourceType: 2, resourceName: 'legacy', configs: [{ name: 'retention.bytes', value: String(100 + v) }] }], false, v)
    t.equal(r.errorCode, 0, `v${v}`)
    t.same(await overrides(c, 'legacy'), { 'retention.bytes': String(100 + v) }, 'keys not named are removed')
  }
  const [bad] = await legacy(c, [{ resourceType: 2, resourceName: 'legacy', configs: [{ name: 'max.message.bytes', value: '-1' }] }])
  t.same([bad.errorCode, bad.errorMessage], [40, 'Invalid value -1 for configuration max.message.bytes: Value must be at least 0'])
  const [logger] = await legacy(c, [{ resourceType: 8, resourceName: '1', configs: [{ name: 'root', value: 'INFO' }] }])
  t.same([logger.errorCode, logger.errorMessage], [42, 'Unknown resource type 8'])
  t.equal((await legacy(c, [{ resourceType: 2, resourceName: 'legacy', configs: [{ name: 'retention.ms', value: null }] }]))[0].errorCode, 42)
})

t.test('broker configs: dynamic ones accepted, static ones refused as Kafka refuses them', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const one = async (name: string, configs: any[], validateOnly = false): Promise<any> => (await incremental(c, [{ resourceType: 4, resourceName: name, configs }], validateOnly))[0]
  for (const key of ['node.id', 'log.dirs', 'listeners']) {
    const r = await one('1', [{ name: key, configOperation: SET, value: '5' }])
    // DynamicBrokerConfig prints the names as a Scala Set.
    t.same([r.errorCode, r.errorMessage], [42, `Cannot update these configs dynamically: Set(${key})`], key)
  }
  const badValue = await one('', [{ name: 'message.max.bytes', configOperation: SET, value: 'big' }])
  t.same([badValue.errorCode, badValue.errorMessage], [42, 'Invalid value big for configuration message.max.bytes: Not a number of type INT'])
  const foreign = await one('2', [{ name: 'message.max.bytes', configOperation: SET, value: '10' }])
  t.same([foreign.errorCode, foreign.errorMessage], [42, 'Unexpected broker id, expected 1, but received 2'])
  const notList = await one('1', [{ name: 'message.max.bytes', configOperation: APPEND, value: '10' }])
  // prepareIncrementalConfigs throws InvalidConfigurationException outside the block that turns failures into INVALID_REQUEST.
  t.same([notList.errorCode, notList.errorMessage], [40, 'Config value append is not allowed for config key: message.max.bytes'])
  const notListSubtract = await one('1', [{ name: 'message.max.bytes', configOperation: 3, value: '10' }])
  t.same([notListSubtract.errorCode, notListSubtract.errorMessage], [40, 'Config value subtract is not allowed for config key: message.max.bytes'])
  // An APPEND of a name the broker does not define hits a Scala map's apply: UNKNOWN_SERVER_ERROR, no message.
  const unknownAppend = await one('1', [{ name: 'no.such.config', configOperation: APPEND, value: 'x' }])
  t.same([unknownAppend.errorCode, unknownAppend.errorMessage], [-1, null])
  const twoStatic = await one('1', [{ name: 'node.id', configOperation: SET, value: '5' }, { name: 'log.dirs', configOperation: SET, value: '/x' }])
  t.same([twoStatic.errorCode, twoStatic.errorMessage], [42, 'Cannot update these configs dynamically: Set(node.id, log.dirs)'])
  const spaced = await one(' 1', [{ name: 'message.max.bytes', configOperation: SET, value: '10' }])
  t.same([spaced.errorCode, spaced.errorMessage], [42, 'Node id must be an integer, but it is:  1'], 'Integer.parseInt does not trim')
  t.equal((await one('1', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, 0)
  t.same(b.running.broker.topicConfig(undefined, 'cleanup.policy'), ['delete', 'compact'])
  // The controller's APPEND skips values already present; SUBTRACT of an unset list starts from the default.
  t.equal((await one('1', [{ name: 'log.cleanup.policy', configOperation: APPEND, value: 'compact' }])).errorCode, 0)
  t.same(b.running.broker.topicConfig(undefined, 'cleanup.policy'), ['delete', 'compact'])
  t.equal((await one('', [{ name: 'log.cleanup.policy', configOperation: 3, value: 'delete' }])).errorCode, 0)
  t.same(b.running.broker.metadata.image.otherConfigs.get('4:')?.get('log.cleanup.policy'), '')
  const [legacyStatic] = await legacy(c, [{ resourceType: 4, resourceName: '', configs: [{ name: 'num.partitions', value: '3' }] }])
  t.equal(legacyStatic.errorCode, 42)
})

t.test('changes take effect on the next produce and survive a restart', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'live' })
  const big = await batch(textRecords(['x'.repeat(3000)]))
  t.equal((await produce(c, { topic: 'live', partition: 0, records: big })).errorCode, 0)
  t.equal((await incremental(c, [{ resourceType: 2, resourceName: 'live', configs: [{ name: 'max.message.bytes', configOperation: SET, value: '1000' }] }]))[0].errorCode, 0)
  t.equal((await produce(c, { topic: 'live', partition: 0, records: big })).errorCode, 10, 'MESSAGE_TOO_LARGE right away')
  // A cluster-wide broker default applies to topics without an override.
  await createTopic(c, { name: 'other' })
  t.equal((await incremental(c, [{ resourceType: 4, resourceName: '', configs: [{ name: 'message.max.bytes', configOperation: SET, value: '1500' }] }]))[0].errorCode, 0)
  t.equal((await produce(c, { topic: 'other', partition: 0, records: big })).errorCode, 10)
  // A per-broker value wins over the cluster default.
  t.equal((await incremental(c, [{ resourceType: 4, resourceName: '1', configs: [{ name: 'message.max.bytes', configOperation: SET, value: '100000' }] }]))[0].errorCode, 0)
  t.equal((await produce(c, { topic: 'other', partition: 0, records: big })).errorCode, 0)
  await b.stop()
  const again = await startTestBroker(t, { dir: b.dir })
  const c2 = await again.client()
  t.same(await overrides(c2, 'live'), { 'max.message.bytes': '1000' })
  t.equal(again.running.broker.topicConfig(undefined, 'max.message.bytes'), 100000)
  const def = (await c2.request(DESCRIBE, 4, { resources: [{ resourceType: 4, resourceName: '', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false })).results[0]
  t.same(def.configs.map((x: any) => [x.name, x.value]), [['message.max.bytes', '1500']])
})
