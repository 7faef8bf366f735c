import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'

const DESCRIBE = 32
const INCREMENTAL = 44
const describe = async (c: any, resources: { resourceType: number, resourceName: string, configurationKeys?: string[] | null }[], opts: { version?: number, synonyms?: boolean, docs?: boolean } = {}): Promise<any> =>
  await c.request(DESCRIBE, opts.version ?? 4, {
    resources: resources.map(r => ({ configurationKeys: null, ...r })),
    includeSynonyms: opts.synonyms ?? false,
    includeDocumentation: (opts.version ?? 4) >= 3 && (opts.docs ?? false)
  })
const byName = (configs: any[]): Map<string, any> => new Map(configs.map(c => [c.name, c]))

t.test('topic: every config, defaults, overrides, static broker values, synonyms, types and docs', async t => {
  const b = await startTestBroker(t, { config: { 'log.retention.hours': '24', 'message.max.bytes': '2000000' } })
  const c = await b.client()
  await createTopic(c, { name: 'cfg', configs: { 'cleanup.policy': 'compact, delete', 'retention.bytes': '1000' } })
  for (let v = 1; v <= 4; v++) {
    const res = await describe(c, [{ resourceType: 2, resourceName: 'cfg' }], { version: v, synonyms: true, docs: true })
    const r = res.results[0]
    t.equal(r.errorCode, 0)
    t.equal(r.resourceName, 'cfg')
    const m = byName(r.configs)
    t.equal(m.size, 33, `v${v}: every topic config`)
    t.match(m.get('cleanup.policy'), { value: 'compact,delete', configSource: 1, readOnly: false, isSensitive: false })
    t.same(m.get('cleanup.policy').synonyms, [
      { name: 'cleanup.policy', value: 'compact,delete', source: 1 },
      { name: 'log.cleanup.policy', value: 'delete', source: 5 }
    ])
    // log.retention.hours behind an unset log.retention.ms: Kafka reports the value but DEFAULT_CONFIG.
    t.match(m.get('retention.ms'), { value: '86400000', configSource: 5 })
    t.same(m.get('retention.ms').synonyms, [])
    t.match(m.get('max.message.bytes'), { value: '2000000', configSource: 4 })
    t.same(m.get('max.message.bytes').synonyms, [{ name: 'message.max.bytes', value: '2000000', source: 4 }, { name: 'message.max.bytes', value: '1048588', source: 5 }])
    t.match(m.get('remote.storage.enable'), { value: 'false', configSource: 5 })
    if (v >= 3) {
      t.equal(m.get('retention.ms').configType, 5, 'LONG')
      t.equal(m.get('cleanup.policy').configType, 7, 'LIST')
      t.equal(m.get('preallocate').configType, 1, 'BOOLEAN')
      t.equal(m.get('min.cleanable.dirty.ratio').configType, 6, 'DOUBLE')
      t.match(m.get('retention.ms').documentation, /kept/)
    }
  }
  const plain = (await describe(c, [{ resourceType: 2, resourceName: 'cfg', configurationKeys: ['retention.bytes', 'nope'] }])).results[0]
  t.same(plain.configs.map((x: any) => [x.name, x.value, x.configSource, x.synonyms, x.documentation]), [['retention.bytes', '1000', 1, [], null]], 'keys filter; no synonyms or docs unless asked')
  const empty = (await describe(c, [{ resourceType: 2, resourceName: 'cfg', configurationKeys: [] }])).results[0]
  t.ok(empty.configs.length > 20, 'an empty key list asks for every config, as ConfigHelperUtils filters')
})

t.test('errors: unknown topic, illegal name, foreign broker id, unknown type', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const res = await describe(c, [
    { resourceType: 2, resourceName: 'missing' },
    { resourceType: 2, resourceName: 'bad name' },
    { resourceType: 4, resourceName: '7' },
    { resourceType: 4, resourceName: 'x' },
    { resourceType: 8, resourceName: '' }
  ])
  t.same(res.results.map((r: any) => [r.errorCode, r.configs.length]), [[3, 0], [17, 0], [42, 0], [42, 0], [42, 0]])
  t.equal(res.results[2].errorMessage, 'Unexpected broker id, expected 1 or empty string, but received 7')
  t.equal(res.results[0].errorMessage, null, 'an unknown topic carries no message')
  t.equal(res.results[3].errorMessage, 'Broker id must be an integer, but it is: x')
  t.equal(res.results[4].errorMessage, 'Broker id must not be empty')
  t.equal(res.results[3].errorMessage, 'Broker id must be an integer, but it is: x')
  t.equal(res.results[4].errorMessage, 'Broker id must not be empty')
  const unknown = await describe(c, [{ resourceType: 2, resourceName: 'missing' }, { resourceType: 99, resourceName: 'x' }])
  t.same(unknown.results.map((r: any) => r.errorCode), [42, 42], 'an unknown resource type fails the whole request')
})

t.test('broker: every config with value, source, read-only flags; cluster default lists only what is set', async t => {
  const b = await startTestBroker(t, { config: { 'num.partitions': '3' } })
  const c = await b.client()
  const r = (await describe(c, [{ resourceType: 4, resourceName: '1' }], { synonyms: true, docs: true })).results[0]
  t.equal(r.errorCode, 0)
  const m = byName(r.configs)
  t.match(m.get('num.partitions'), { value: '3', configSource: 4, readOnly: true, configType: 3 })
  t.match(m.get('node.id'), { value: '1', readOnly: true })
  t.match(m.get('log.retention.ms'), { value: null, configSource: 5, readOnly: false })
  t.match(m.get('log.retention.hours'), { value: '168', configSource: 5, readOnly: true })
  t.match(m.get('message.max.bytes'), { value: '1048588', configSource: 5, readOnly: false, configType: 3 })
  t.match(m.get('message.max.bytes').documentation, /max.message.bytes/)
  t.same((await describe(c, [{ resourceType: 4, resourceName: '' }])).results[0].configs, [], 'no dynamic defaults yet')

  const set = await c.request(INCREMENTAL, 1, {
    resources: [
      { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '5000' }] },
      { resourceType: 4, resourceName: '1', configs: [{ name: 'message.max.bytes', configOperation: 0, value: '3000' }] }
    ],
    validateOnly: false
  })
  t.same(set.responses.map((x: any) => x.errorCode), [0, 0])
  const def = (await describe(c, [{ resourceType: 4, resourceName: '' }], { synonyms: true })).results[0].configs
  t.same(def.map((x: any) => [x.name, x.value, x.configSource, x.synonyms]), [['log.retention.ms', '5000', 3, [{ name: 'log.retention.ms', value: '5000', source: 3 }]]])
  const after = byName((await describe(c, [{ resourceType: 4, resourceName: '1' }], { synonyms: true })).results[0].configs)
  t.match(after.get('log.retention.ms'), { value: '5000', configSource: 3 })
  t.same(after.get('message.max.bytes').synonyms, [{ name: 'message.max.bytes', value: '3000', source: 2 }, { name: 'message.max.bytes', value: '1048588', source: 5 }])
  await createTopic(c, { name: 'uses-defaults' })
  const topic = byName((await describe(c, [{ resourceType: 2, resourceName: 'uses-defaults' }], { synonyms: true })).results[0].configs)
  t.match(topic.get('retention.ms'), { value: '5000', configSource: 3 })
  t.same(topic.get('retention.ms').synonyms.map((s: any) => [s.name, s.source]), [['log.retention.ms', 3], ['log.retention.hours', 5]])
  t.match(topic.get('max.message.bytes'), { value: '3000', configSource: 2 })
})

t.test('broker logger: root level, changed live by IncrementalAlterConfigs', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const r = (await describe(c, [{ resourceType: 8, resourceName: '1' }])).results[0]
  t.same(r.configs.map((x: any) => [x.name, x.value, x.configSource]), [['root', 'OFF', 6]], 'tests run with a silent logger')
  const alter = async (configs: any[], validateOnly = false): Promise<any> => (await c.request(INCREMENTAL, 1, { resources: [{ resourceType: 8, resourceName: '1', configs }], validateOnly })).responses[0]
  t.equal((await alter([{ name: 'root', configOperation: 0, value: 'WARN' }], true)).errorCode, 0)
  t.equal(b.running.broker.log.level, 'silent', 'validateOnly changes nothing')
  t.equal((await alter([{ name: 'root', configOperation: 0, value: 'WARN' }])).errorCode, 0)
  t.equal(b.running.broker.log.level, 'warn')
  t.same((await describe(c, [{ resourceType: 8, resourceName: '1' }])).results[0].configs.map((x: any) => x.value), ['WARN'])
  // RuntimeLoggerManager's messages (valid levels sorted by name).
  const msg = async (configs: any[]): Promise<[number, string]> => { const r = await alter(configs); return [r.errorCode, r.errorMessage] }
  t.same(await msg([{ name: 'root', configOperation: 0, value: 'LOUD' }]), [40, 'Cannot set the log level of root to LOUD as it is not a supported log level. Valid log levels are DEBUG, ERROR, FATAL, INFO, TRACE, WARN'])
  t.same(await msg([{ name: 'kafka.nope', configOperation: 0, value: 'INFO' }]), [40, 'Logger kafka.nope does not exist!'])
  t.same(await msg([{ name: 'root', configOperation: 1, value: null }]), [42, 'Removing the log level of the root logger is not allowed'])
  t.same(await msg([{ name: 'root', configOperation: 2, value: 'INFO' }]), [42, 'APPEND operation is not allowed for the BROKER_LOGGER resource'])
  const foreign = (await c.request(INCREMENTAL, 1, { resources: [{ resourceType: 8, resourceName: '2', configs: [{ name: 'root', configOperation: 0, value: 'INFO' }] }], validateOnly: false })).responses[0]
  // validateResourceNameIsNodeId names its own id where the request's belongs.
  t.same([foreign.errorCode, foreign.errorMessage], [42, 'Unexpected node id. Expected 1, but received 1'])
  t.equal(b.running.broker.log.level, 'warn')
  b.running.broker.log.level = 'silent'
})
