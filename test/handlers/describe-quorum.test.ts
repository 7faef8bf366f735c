import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'

const DQ = 55
const req = (topicName = '__cluster_metadata', partitionIndex = 0): object => ({ topics: [{ topicName, partitions: [{ partitionIndex }] }] })

t.test('the one-voter quorum: leader, epoch, high watermark at the metadata log end', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const before = (await c.request(DQ, 2, req())).topics[0].partitions[0]
  await createTopic(c, { name: 'q', numPartitions: 2 })
  for (let v = 0; v <= 2; v++) {
    const r = await c.request(DQ, v, req())
    t.equal(r.errorCode, 0, `v${v}`)
    const p = r.topics[0].partitions[0]
    t.match(p, { partitionIndex: 0, errorCode: 0, leaderId: 1, leaderEpoch: 1, observers: [] })
    t.equal(p.highWatermark, b.running.broker.metadata.image.lastOffset + 1n)
    t.equal(p.highWatermark, before.highWatermark + 3n, 'a topic record and two partition records later')
    t.equal(p.currentVoters.length, 1)
    t.equal(p.currentVoters[0].replicaId, 1)
    t.equal(p.currentVoters[0].logEndOffset, p.highWatermark)
    if (v >= 2) {
      t.equal(p.currentVoters[0].replicaDirectoryId, b.running.broker.directoryId)
      t.same(r.nodes, [{ nodeId: 1, listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: b.port }] }])
    }
  }
  const unknown = (topicName: string, partitionIndex: number): object =>
    ({ topicName, partitions: [{ partitionIndex, errorCode: 3, errorMessage: null, leaderId: 0, leaderEpoch: 0, highWatermark: 0n, currentVoters: [], observers: [] }] })
  const other = await c.request(DQ, 2, req('other'))
  t.same(other, { errorCode: 0, errorMessage: null, topics: [unknown('other', 0)], nodes: [] }, 'another topic: echoed, UNKNOWN_TOPIC_OR_PARTITION, schema defaults')
  t.same((await c.request(DQ, 2, req('__cluster_metadata', 1))).topics, [unknown('__cluster_metadata', 1)], 'another partition')
  const two = await c.request(DQ, 1, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }, { partitionIndex: 0 }] }, { topicName: 'x', partitions: [] }] })
  t.same(two.topics.map((x: any) => [x.topicName, x.partitions.map((p: any) => [p.partitionIndex, p.errorCode])]), [['__cluster_metadata', [[0, 3], [0, 3]]], ['x', []]], 'more than the one partition: every named one refused')
  t.same((await c.request(DQ, 0, { topics: [] })).topics, [], 'no topics: nothing to echo')
})
