import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, metadata, produceValues, fetchOne, values } from '../helpers/kafka.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

t.test('every version 1..5 deletes by name; data directories are removed', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (let v = 1; v <= 5; v++) {
    await createTopic(c, { name: `del${v}`, numPartitions: 2 })
    await produceValues(c, `del${v}`, ['x'])
    t.ok(existsSync(join(b.dir, `del${v}-1`)))
    const res = await c.request(API.DeleteTopics, v, { topicNames: [`del${v}`], timeoutMs: 1000 })
    t.same(res.responses.map((r: any) => [r.name, r.errorCode]), [[`del${v}`, 0]], `v${v}`)
    t.notOk(existsSync(join(b.dir, `del${v}-0`)), `v${v} partition 0 dir removed`)
    t.notOk(existsSync(join(b.dir, `del${v}-1`)), `v${v} partition 1 dir removed`)
    t.equal((await metadata(c, [`del${v}`], 12, false)).topics[0].errorCode, 3)
  }
})

t.test('v6 deletes by name and by id', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'by-name' })
  const id = await createTopic(c, { name: 'by-id' })
  const res = await c.request(API.DeleteTopics, 6, { topics: [{ name: 'by-name', topicId: ZERO_UUID }, { name: null, topicId: id }], timeoutMs: 1000 })
  t.same(res.responses.map((r: any) => [r.name, r.errorCode]), [['by-name', 0], ['by-id', 0]])
  t.equal(res.responses[1].topicId, id)
  t.same((await metadata(c, null)).topics, [])
})

t.test('unknown names, unknown ids and both set', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const id = await createTopic(c, { name: 'keep' })
  const v5 = await c.request(API.DeleteTopics, 5, { topicNames: ['ghost'], timeoutMs: 1000 })
  t.equal(v5.responses[0].errorCode, 3)
  const v6 = await c.request(API.DeleteTopics, 6, {
    topics: [
      { name: 'ghost', topicId: ZERO_UUID },
      { name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' },
      { name: 'keep', topicId: id },
      { name: null, topicId: ZERO_UUID }
    ],
    timeoutMs: 1000
  })
  t.same(v6.responses.map((r: any) => r.errorCode), [3, 100, 42, 42])
  t.equal((await metadata(c, ['keep'], 12, false)).topics[0].errorCode, 0, 'nothing deleted by the invalid entries')
})

t.test('a recreated topic starts at offset 0 with a new id', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const first = await createTopic(c, { name: 'phoenix' })
  await produceValues(c, 'phoenix', ['a', 'b', 'c'])
  await c.request(API.DeleteTopics, 6, { topics: [{ name: 'phoenix', topicId: ZERO_UUID }], timeoutMs: 1000 })
  const second = await createTopic(c, { name: 'phoenix' })
  t.not(second, first)
  const { partition, batches } = await fetchOne(c, { topic: 'phoenix' })
  t.equal(partition.errorCode, 0)
  t.equal(partition.highWatermark, 0n)
  t.same(values(batches), [])
  t.equal(await produceValues(c, 'phoenix', ['new']), 0n)
  t.same(values((await fetchOne(c, { topic: 'phoenix' })).batches), ['new'])
})

t.test('delete.topic.enable=false gives TOPIC_DELETION_DISABLED', async t => {
  const b = await startTestBroker(t, { config: { 'delete.topic.enable': 'false' } })
  const c = await b.client()
  const id = await createTopic(c, { name: 'stuck' })
  const byName = await c.request(API.DeleteTopics, 4, { topicNames: ['stuck'], timeoutMs: 1000 })
  t.equal(byName.responses[0].errorCode, 73)
  const byId = await c.request(API.DeleteTopics, 6, { topics: [{ name: null, topicId: id }], timeoutMs: 1000 })
  t.equal(byId.responses[0].errorCode, 73)
  t.equal((await metadata(c, ['stuck'], 12, false)).topics[0].errorCode, 0)
  t.ok(existsSync(join(b.dir, 'stuck-0')))
})

t.test('a long-poll on a deleted topic is answered', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const admin = await b.client()
  await createTopic(c, { name: 'vanish' })
  const started = Date.now()
  const pending = fetchOne(c, { topic: 'vanish' }, { maxWaitMs: 3000 })
  await new Promise(resolve => setTimeout(resolve, 50))
  await admin.request(API.DeleteTopics, 5, { topicNames: ['vanish'], timeoutMs: 1000 })
  const { partition } = await pending
  t.ok(Date.now() - started < 2500, 'answered before maxWait')
  t.equal(partition.errorCode, 3, 'the partition is gone')
})
