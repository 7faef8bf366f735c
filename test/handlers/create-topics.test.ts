import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopicsRaw, metadata, type TopicSpec } from '../helpers/kafka.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

const one = async (c: any, spec: TopicSpec, opts: { version?: number, validateOnly?: boolean } = {}): Promise<any> => (await createTopicsRaw(c, [spec], opts)).topics[0]

t.test('every version 2..7 creates a topic with its partitions', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (let v = 2; v <= 7; v++) {
    const r = await one(c, { name: `v${v}`, numPartitions: 3 }, { version: v })
    t.equal(r.errorCode, 0, `v${v}`)
    t.equal(r.name, `v${v}`)
    if (v >= 5) {
      t.equal(r.numPartitions, 3)
      t.equal(r.replicationFactor, 1)
    }
    if (v >= 7) t.not(r.topicId, ZERO_UUID)
    const m = await metadata(c, [`v${v}`], 12, false)
    t.same(m.topics[0].partitions.map((p: any) => p.partitionIndex), [0, 1, 2])
  }
})

t.test('errors: exists, invalid names, collisions, partitions, replication factor', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  t.equal((await one(c, { name: 'dup' })).errorCode, 0)
  const again = await one(c, { name: 'dup' })
  t.equal(again.errorCode, 36)
  t.match(again.errorMessage, /already exists/)
  for (const name of ['', '.', '..', 'has space', 'slash/x', 'x'.repeat(250)]) {
    t.equal((await one(c, { name })).errorCode, 17, JSON.stringify(name.slice(0, 20)))
  }
  t.equal((await one(c, { name: 'x'.repeat(249) })).errorCode, 0, '249 characters is legal')
  t.equal((await one(c, { name: 'a.b' })).errorCode, 0)
  const collide = await one(c, { name: 'a_b' })
  t.equal(collide.errorCode, 17)
  t.match(collide.errorMessage, /collides/)
  t.equal((await one(c, { name: 'p0', numPartitions: 0 })).errorCode, 37)
  t.equal((await one(c, { name: 'pneg', numPartitions: -5 })).errorCode, 37)
  t.equal((await one(c, { name: 'rf3', replicationFactor: 3 })).errorCode, 38)
  t.equal((await one(c, { name: 'rf0', replicationFactor: 0 })).errorCode, 38)
  const m = await metadata(c, null)
  t.same(m.topics.map((x: any) => x.name).sort(), ['a.b', 'dup', 'x'.repeat(249)], 'failed topics were not created')
})

t.test('-1 partitions and replication factor take the broker defaults', async t => {
  const b = await startTestBroker(t, { config: { 'num.partitions': '4' } })
  const c = await b.client()
  const r = await one(c, { name: 'defaults', numPartitions: -1, replicationFactor: -1 })
  t.equal(r.errorCode, 0)
  t.equal(r.numPartitions, 4)
  t.equal(r.replicationFactor, 1)
})

t.test('manual replica assignments', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const ok = await one(c, { name: 'manual', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 1, brokerIds: [1] }, { partitionIndex: 0, brokerIds: [1] }] })
  t.equal(ok.errorCode, 0)
  t.equal(ok.numPartitions, 2)
  const m = await metadata(c, ['manual'], 12, false)
  t.same(m.topics[0].partitions.map((p: any) => [p.partitionIndex, p.replicaNodes]), [[0, [1]], [1, [1]]])
  const unknownBroker = await one(c, { name: 'm2', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [2] }] })
  t.equal(unknownBroker.errorCode, 39)
  const gap = await one(c, { name: 'm3', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }, { partitionIndex: 2, brokerIds: [1] }] })
  t.equal(gap.errorCode, 39)
  const twice = await one(c, { name: 'm4', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 1] }] })
  t.equal(twice.errorCode, 39)
  const empty = await one(c, { name: 'm5', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [] }] })
  t.equal(empty.errorCode, 39)
  const withCount = await one(c, { name: 'm6', numPartitions: 1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] })
  t.equal(withCount.errorCode, 42, 'assignments with numPartitions set is INVALID_REQUEST')
  t.same((await metadata(c, null)).topics.map((x: any) => x.name), ['manual'])
})

t.test('configs: unknown name and bad value are INVALID_CONFIG', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const unknown = await one(c, { name: 'c1', configs: { 'no.such.config': '1' } })
  t.equal(unknown.errorCode, 40)
  t.match(unknown.errorMessage, /no\.such\.config/)
  const bad = await one(c, { name: 'c2', configs: { 'retention.ms': 'soon' } })
  t.equal(bad.errorCode, 40)
  t.match(bad.errorMessage, /retention\.ms/)
  const badEnum = await one(c, { name: 'c3', configs: { 'cleanup.policy': 'forever' } })
  t.equal(badEnum.errorCode, 40)
  const badRange = await one(c, { name: 'c4', configs: { 'min.insync.replicas': '0' } })
  t.equal(badRange.errorCode, 40)
  t.same((await metadata(c, null)).topics, [])
})

t.test('validateOnly checks without creating', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const r = await one(c, { name: 'dry', numPartitions: 2, configs: { 'retention.ms': '1000' } }, { validateOnly: true })
  t.equal(r.errorCode, 0)
  t.equal(r.numPartitions, 2)
  const bad = await one(c, { name: 'dry2', numPartitions: 0 }, { validateOnly: true })
  t.equal(bad.errorCode, 37, 'validation errors are still reported')
  t.equal((await metadata(c, ['dry'], 12, false)).topics[0].errorCode, 3, 'not created')
  t.equal((await one(c, { name: 'dry' })).errorCode, 0, 'and can be created for real afterwards')
})

t.test('duplicate names in one request are INVALID_REQUEST for each', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const res = await createTopicsRaw(c, [{ name: 'twin' }, { name: 'single' }, { name: 'twin' }])
  const codes = res.topics.map((x: any) => [x.name, x.errorCode])
  t.same(codes.filter((x: any) => x[0] === 'twin'), [['twin', 42], ['twin', 42]])
  t.same(codes.filter((x: any) => x[0] === 'single'), [['single', 0]])
  t.same((await metadata(c, null)).topics.map((x: any) => x.name), ['single'])
})

t.test('v5+ reports configs with their sources', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const v of [5, 6, 7]) {
    const r = await one(c, { name: `cfg${v}`, configs: { 'retention.ms': '12345', 'cleanup.policy': 'compact' } }, { version: v })
    t.equal(r.errorCode, 0)
    const byName = new Map(r.configs.map((x: any) => [x.name, x]))
    t.match(byName.get('retention.ms'), { value: '12345', configSource: 1, readOnly: false, isSensitive: false })
    t.match(byName.get('cleanup.policy'), { value: 'compact', configSource: 1 })
    t.match(byName.get('segment.bytes'), { value: '1073741824', configSource: 5 })
    t.match(byName.get('max.message.bytes'), { value: '1048588', configSource: 5 })
    t.match(byName.get('message.timestamp.type'), { value: 'CreateTime', configSource: 5 })
  }
  const v4 = await one(c, { name: 'cfg4', configs: { 'retention.ms': '1' } }, { version: 4 })
  t.equal(v4.errorCode, 0)
})

t.test('broker-level synonyms are reported as STATIC_BROKER_CONFIG', async t => {
  const b = await startTestBroker(t, { config: { 'log.retention.ms': '5000' } })
  const c = await b.client()
  const r = await one(c, { name: 'static' })
  t.match(r.configs.find((x: any) => x.name === 'retention.ms'), { value: '5000', configSource: 4 })
})

t.test('a created topic is usable at once and its config applies', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopicsRaw(c, [{ name: 'ready', configs: { 'max.message.bytes': '100' } }])
  t.equal(b.running.broker.topicConfig(b.running.broker.metadata.image.topicsByName.get('ready'), 'max.message.bytes'), 100)
  const res = await c.request(API.Metadata, 12, { topics: [{ name: 'ready' }], allowAutoTopicCreation: false })
  t.equal(res.topics[0].partitions[0].leaderId, 1)
})
