import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, createTopicsRaw, metadata } from '../helpers/kafka.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

t.test('every version 0..13 describes a topic and the broker', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'described', numPartitions: 2 })
  for (let v = 0; v <= 13; v++) {
    const res = await c.request(API.Metadata, v, { topics: [{ name: 'described' }], allowAutoTopicCreation: v >= 4 ? false : true })
    t.same(res.brokers.map((br: any) => [br.nodeId, br.host, br.port]), [[1, '127.0.0.1', b.port]], `v${v} brokers`)
    const topic = res.topics[0]
    t.equal(topic.errorCode, 0, `v${v}`)
    t.equal(topic.name, 'described')
    t.same(topic.partitions.map((p: any) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]), [[0, 1, [1], [1]], [1, 1, [1], [1]]])
    if (v >= 1) t.equal(res.controllerId, 1, `v${v} controller`)
    if (v >= 2) t.equal(res.clusterId, b.running.broker.clusterId, `v${v} cluster id`)
    if (v >= 7) t.same(topic.partitions.map((p: any) => p.leaderEpoch), [0, 0])
    t.equal(topic.topicId, v >= 10 ? id : ZERO_UUID, `v${v} topic id`)
  }
})

t.test('all topics: null list (v1+) and empty list at v0', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'one' })
  await createTopic(c, { name: 'two' })
  for (let v = 1; v <= 13; v++) {
    const res = await c.request(API.Metadata, v, { topics: null })
    t.same(res.topics.map((x: any) => x.name).sort(), ['one', 'two'], `v${v}`)
  }
  const v0 = await c.request(API.Metadata, 0, { topics: [] })
  t.same(v0.topics.map((x: any) => x.name).sort(), ['one', 'two'])
  // At v1+ an empty list means none.
  const none = await c.request(API.Metadata, 4, { topics: [] })
  t.same(none.topics, [])
})

t.test('auto-creation: on by default, honours AllowAutoTopicCreation', async t => {
  const b = await startTestBroker(t, { config: { 'num.partitions': '3' } })
  const c = await b.client()
  const res = await metadata(c, ['auto-yes'], 12, true)
  t.equal(res.topics[0].errorCode, 0)
  t.equal(res.topics[0].partitions.length, 3, 'num.partitions applied')
  t.not(res.topics[0].topicId, ZERO_UUID)
  const refused = await metadata(c, ['auto-no'], 12, false)
  t.equal(refused.topics[0].errorCode, 3)
  t.same(refused.topics[0].partitions, [])
  // v0-3 have no flag and always allow.
  const v3 = await c.request(API.Metadata, 3, { topics: [{ name: 'auto-v3' }] })
  t.equal(v3.topics[0].errorCode, 0)
  const all = await metadata(c, null)
  t.same(all.topics.map((x: any) => x.name).sort(), ['auto-v3', 'auto-yes'])
})

t.test('auto-creation disabled by config', async t => {
  const b = await startTestBroker(t, { config: { 'auto.create.topics.enable': 'false' } })
  const c = await b.client()
  for (const v of [1, 3, 12]) {
    const res = await c.request(API.Metadata, v, { topics: [{ name: 'absent' }], allowAutoTopicCreation: true })
    t.equal(res.topics[0].errorCode, 3, `v${v}`)
  }
  t.same((await metadata(c, null)).topics, [])
})

t.test('an invalid topic name is INVALID_TOPIC_EXCEPTION, with or without auto-creation', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const allow of [true, false]) {
    const res = await metadata(c, ['bad name', 'x'.repeat(250), '..'], 12, allow)
    t.same(res.topics.map((x: any) => x.errorCode), [17, 17, 17])
    t.same(res.topics.map((x: any) => x.name), ['bad name', 'x'.repeat(250), '..'])
  }
  t.same((await metadata(c, null)).topics, [], 'nothing was created')
})

t.test('v12+ looks topics up by id; an unknown id is UNKNOWN_TOPIC_ID', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'by-id', numPartitions: 2 })
  for (const v of [12, 13]) {
    const res = await c.request(API.Metadata, v, { topics: [{ topicId: id, name: null }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', name: null }], allowAutoTopicCreation: false })
    t.equal(res.topics[0].errorCode, 0)
    t.equal(res.topics[0].name, 'by-id')
    t.equal(res.topics[0].topicId, id)
    t.equal(res.topics[0].partitions.length, 2)
    t.equal(res.topics[1].errorCode, 100)
    t.equal(res.topics[1].topicId, 'AAAAAAAAAAAAAAAAAAAAAQ')
    t.equal(res.topics[1].name, null)
  }
})

t.test('topic ids match those CreateTopics v7 returned', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const created = await createTopicsRaw(c, [{ name: 'ida' }, { name: 'idb' }])
  const ids = new Map(created.topics.map((x: any) => [x.name, x.topicId]))
  t.equal(ids.size, 2)
  t.not(ids.get('ida'), ids.get('idb'))
  for (const v of [10, 11, 13]) {
    const res = await c.request(API.Metadata, v, { topics: null })
    for (const topic of res.topics) t.equal(topic.topicId, ids.get(topic.name), `v${v} ${topic.name}`)
  }
})

t.test('internal topic names are never auto-created', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const res = await metadata(c, ['__consumer_offsets'])
  t.equal(res.topics[0].errorCode, 3)
})

t.test('a topic named twice is described once', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'twice' })
  const res = await metadata(c, ['twice', 'twice'], 12, false)
  t.same(res.topics.map((x: any) => x.name), ['twice'])
})
