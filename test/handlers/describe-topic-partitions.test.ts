import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

const DTP = 75
const ask = async (c: any, topics: string[], limit: number, cursor: { topicName: string, partitionIndex: number } | null = null): Promise<any> =>
  await c.request(DTP, 0, { topics: topics.map(name => ({ name })), responsePartitionLimit: limit, cursor })
const shape = (r: any): any => [r.topics.map((x: any) => [x.name, x.errorCode, x.partitions.map((p: any) => p.partitionIndex)]), r.nextCursor]

t.test('partitions, limits and Kafka\'s cursor', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const idA = await createTopic(c, { name: 'a', numPartitions: 3 })
  await createTopic(c, { name: 'b', numPartitions: 2 })
  await createTopic(c, { name: 'c', numPartitions: 1 })
  const full = await ask(c, [], 2000)
  t.same(shape(full), [[['a', 0, [0, 1, 2]], ['b', 0, [0, 1]], ['c', 0, [0]]], null])
  const p0 = full.topics[0].partitions[0]
  t.same(p0, { errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] })
  t.equal(full.topics[0].topicId, idA)
  t.equal(full.topics[0].topicAuthorizedOperations, 3576)
  t.same(shape(await ask(c, [], 2)), [[['a', 0, [0, 1]]], { topicName: 'a', partitionIndex: 2 }], 'stops inside a topic')
  t.same(shape(await ask(c, [], 2, { topicName: 'a', partitionIndex: 2 })), [[['a', 0, [2]], ['b', 0, [0]]], { topicName: 'b', partitionIndex: 1 }])
  t.same(shape(await ask(c, [], 3)), [[['a', 0, [0, 1, 2]]], { topicName: 'b', partitionIndex: 0 }], 'limit reached at a topic end')
  t.same(shape(await ask(c, [], 0)), [[['a', 0, [0]]], { topicName: 'a', partitionIndex: 1 }], 'at least one partition')
  t.same(shape(await ask(c, ['c', 'zz', 'a'], 10)), [[['a', 0, [0, 1, 2]], ['c', 0, [0]], ['zz', 3, []]], null], 'named topics sorted; unknown ones reported')
  t.equal((await ask(c, ['zz'], 10)).topics[0].topicId, ZERO_UUID)
  t.same(shape(await ask(c, ['bad name'], 10)), [[['bad name', 17, []]], null])
  t.same(shape(await ask(c, ['a', 'b'], 10, { topicName: 'b', partitionIndex: 1 })), [[['b', 0, [1]]], null], 'topics before the cursor are skipped')
  t.same(shape(await ask(c, ['a'], 10, { topicName: 'b', partitionIndex: 0 })), [[['a', 42, []]], null], 'cursor topic not among the named')
  t.same(shape(await ask(c, ['a'], 10, { topicName: 'a', partitionIndex: -1 })), [[['a', 42, []]], null], 'negative cursor partition')
  const refused = await ask(c, ['a', 'a'], 10, { topicName: 'a', partitionIndex: -1 })
  t.same(refused.topics.map((x: any) => [x.name, x.topicId, x.isInternal, x.topicAuthorizedOperations]), [['a', ZERO_UUID, false, -2147483648], ['a', ZERO_UUID, false, -2147483648]], 'getErrorResponse: each named topic as sent, schema defaults')
  t.same(await ask(c, [], 10, { topicName: 'a', partitionIndex: -1 }), { throttleTimeMs: 0, topics: [], nextCursor: null }, 'all topics with a bad cursor: nothing to echo')
  t.same(shape(await ask(c, ['a', 'b'], 10, { topicName: 'a', partitionIndex: 7 })), [[['a', 0, []], ['b', 0, [0, 1]]], null], 'a cursor past the topic\'s partitions: the topic with none')
  t.same(shape(await ask(c, [], 10, { topicName: 'ab', partitionIndex: 0 })), [[['b', 0, [0, 1]], ['c', 0, [0]]], null], 'all topics from a cursor topic that does not exist')
  t.same(shape(await ask(c, ['zz', 'a'], 10, { topicName: 'zz', partitionIndex: 3 })), [[['zz', 3, []]], null], 'a cursor naming an unknown named topic')
  t.same(shape(await ask(c, [''], 10)), [[['', 17, []]], null], 'an empty name is INVALID_TOPIC_EXCEPTION')
  t.same(shape(await ask(c, ['a', 'a'], 10)), [[['a', 0, [0, 1, 2]]], null], 'a topic named twice is answered once')
  t.same(shape(await ask(c, [], -5)), [[['a', 0, [0]]], { topicName: 'a', partitionIndex: 1 }], 'a negative limit is one partition')
})

t.test('fetching all topics lists internal ones, marked internal', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await c.request(10, 4, { keyType: 0, coordinatorKeys: ['g'] })
  const all = await ask(c, [], 1, { topicName: '__consumer_offsets', partitionIndex: 0 })
  t.same(all.topics.map((x: any) => [x.name, x.isInternal, x.topicAuthorizedOperations]), [['__consumer_offsets', true, 3576]])
})
