import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { metadata } from '../helpers/kafka.js'
import { findCoordinator, GROUP_API } from '../coordinator/group-helpers.js'

t.test('FindCoordinator creates __consumer_offsets and answers this broker at every version', async t => {
  const b = await startTestBroker(t, { config: { 'offsets.topic.num.partitions': '5' } })
  const c = await b.client()
  const v0 = await findCoordinator(c, 'g', 0)
  t.equal(v0.errorCode, 0)
  t.equal(v0.nodeId, 1)
  t.equal(v0.port, b.port)
  t.equal(v0.host, '127.0.0.1')
  for (const v of [1, 2, 3]) {
    const r = await findCoordinator(c, 'g', v)
    t.equal(r.errorCode, 0, `v${v}`)
    t.equal(r.errorMessage, null)
    t.equal(r.port, b.port)
  }
  for (const v of [4, 5, 6]) {
    const r = await c.request(GROUP_API.FindCoordinator, v, { keyType: 0, coordinatorKeys: ['a', 'b'] })
    t.same(r.coordinators.map((x: any) => [x.key, x.nodeId, x.port, x.errorCode]), [['a', 1, b.port, 0], ['b', 1, b.port, 0]], `v${v}`)
  }
  const md = await metadata(c, ['__consumer_offsets'], 12, false)
  t.equal(md.topics[0].errorCode, 0)
  t.equal(md.topics[0].isInternal, true)
  t.equal(md.topics[0].partitions.length, 5)
  const topic = b.running.broker.metadata.image.topicsByName.get('__consumer_offsets')!
  t.equal(topic.configs.get('cleanup.policy'), 'compact')
  t.equal(topic.configs.get('segment.bytes'), '104857600')
})

t.test('FindCoordinator for a transactional id creates __transaction_state and answers this broker', async t => {
  const b = await startTestBroker(t, { config: { 'transaction.state.log.num.partitions': '4' } })
  const c = await b.client()
  const old = await c.request(GROUP_API.FindCoordinator, 3, { key: 'txn', keyType: 1 })
  t.equal(old.errorCode, 0)
  t.equal(old.port, b.port)
  const batched = await c.request(GROUP_API.FindCoordinator, 6, { keyType: 1, coordinatorKeys: ['a', 'b'] })
  t.same(batched.coordinators.map((x: any) => [x.key, x.errorCode, x.nodeId]), [['a', 0, 1], ['b', 0, 1]])
  const topic = b.running.broker.metadata.image.topicsByName.get('__transaction_state')!
  t.equal(topic.partitions.length, 4)
  t.equal(topic.configs.get('cleanup.policy'), 'compact')
})

t.test('FindCoordinator refuses share and unknown key types without naming a coordinator', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const keyType of [2, 7]) {
    const old = await c.request(GROUP_API.FindCoordinator, 3, { key: 'x', keyType })
    t.equal(old.errorCode, 42, `v3 key type ${keyType}`)
    t.equal(old.nodeId, -1)
    t.equal(old.host, '')
    t.equal(old.port, -1)
    t.type(old.errorMessage, 'string')
    const batched = await c.request(GROUP_API.FindCoordinator, 6, { keyType, coordinatorKeys: ['x'] })
    t.equal(batched.coordinators[0].errorCode, 42, `v6 key type ${keyType}`)
    t.equal(batched.coordinators[0].nodeId, -1)
  }
  t.equal(b.running.broker.metadata.image.topicsByName.has('__transaction_state'), false)
})
