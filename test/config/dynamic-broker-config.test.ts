import t from 'tap'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { brokerDefaultOf, configSynonyms, brokerConfigSynonyms, layeredValue, SOURCE, DYNAMIC_BROKER_CONFIGS, type ConfigLayers } from '../../src/config/dynamic-broker-config.js'

const layers = (stat: Record<string, string>, clusterDefault: Record<string, string> = {}, perBroker: Record<string, string> = {}): ConfigLayers => ({
  static: new BrokerConfig(new Map(Object.entries(stat))),
  clusterDefault: new Map(Object.entries(clusterDefault)),
  perBroker: new Map(Object.entries(perBroker))
})

t.test('retention resolves ms, then minutes, then hours, in every layer', async t => {
  t.equal(brokerDefaultOf(layers({}), 'log.retention.ms'), 604800000n)
  t.equal(brokerDefaultOf(layers({ 'log.retention.hours': '1' }), 'log.retention.ms'), 3600000n)
  t.equal(brokerDefaultOf(layers({ 'log.retention.hours': '1', 'log.retention.minutes': '2' }), 'log.retention.ms'), 120000n)
  t.equal(brokerDefaultOf(layers({ 'log.retention.minutes': '2' }, { 'log.retention.ms': '5000' }), 'log.retention.ms'), 5000n)
  t.equal(brokerDefaultOf(layers({}, { 'log.retention.ms': '5000' }, { 'log.retention.ms': '7000' }), 'log.retention.ms'), 7000n)
  t.equal(brokerDefaultOf(layers({ 'log.retention.hours': '-5' }), 'log.retention.ms'), -1n, 'any negative is forever')
  t.equal(brokerDefaultOf(layers({ 'log.roll.hours': '2' }), 'log.roll.ms'), 7200000n)
  t.equal(brokerDefaultOf(layers({}), 'log.roll.jitter.ms'), 0n)
  t.equal(brokerDefaultOf(layers({ 'log.flush.scheduler.interval.ms': '100' }), 'log.flush.interval.ms'), 100n)
})

t.test('per-broker > cluster default > static > default for a plain config', async t => {
  t.equal(layeredValue(layers({}), 'message.max.bytes'), 1048588)
  t.equal(layeredValue(layers({ 'message.max.bytes': '10' }), 'message.max.bytes'), 10)
  t.equal(layeredValue(layers({ 'message.max.bytes': '10' }, { 'message.max.bytes': '20' }), 'message.max.bytes'), 20)
  t.equal(layeredValue(layers({ 'message.max.bytes': '10' }, { 'message.max.bytes': '20' }, { 'message.max.bytes': '30' }), 'message.max.bytes'), 30)
})

t.test('synonyms come in Kafka order and drop entries before the own name', async t => {
  const l = layers({ 'log.retention.hours': '24' }, { 'log.retention.ms': '1000' }, { 'log.retention.minutes': '3' })
  t.same(configSynonyms(l, 'log.retention.ms', brokerConfigSynonyms('log.retention.ms'), false), [
    { name: 'log.retention.ms', value: '1000', source: SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '24', source: SOURCE.STATIC_BROKER_CONFIG },
    { name: 'log.retention.hours', value: '168', source: SOURCE.DEFAULT_CONFIG }
  ])
  t.same(configSynonyms(layers({ 'log.retention.hours': '24' }), 'log.retention.ms', brokerConfigSynonyms('log.retention.ms'), false), [], 'Kafka reports nothing when only hours is set')
  t.same(configSynonyms(layers({ 'message.max.bytes': '5' }), 'message.max.bytes', ['message.max.bytes'], true), [
    { name: 'message.max.bytes', value: null, source: SOURCE.STATIC_BROKER_CONFIG },
    { name: 'message.max.bytes', value: null, source: SOURCE.DEFAULT_CONFIG }
  ], 'sensitive values are null')
})

t.test('the dynamic set is the broker defaults of topic configs, never identity or storage settings', async t => {
  for (const n of ['log.retention.ms', 'message.max.bytes', 'log.cleanup.policy', 'min.insync.replicas', 'log.roll.ms']) t.ok(DYNAMIC_BROKER_CONFIGS.has(n), n)
  for (const n of ['node.id', 'log.dirs', 'listeners', 'advertised.listeners', 'log.retention.hours', 'num.partitions']) t.notOk(DYNAMIC_BROKER_CONFIGS.has(n), n)
})
