import t from 'tap'
import { startTestBroker, tempDir } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { commit, fetchOffsets, findCoordinator, GROUP_API } from '../coordinator/group-helpers.js'

t.test('simple consumer commits are stored exactly and fetched at every OffsetFetch version', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const topicId = await createTopic(c, { name: 't', numPartitions: 3 })
  await findCoordinator(c, 'g')
  for (const v of [2, 3, 4, 5, 6, 7, 8, 9]) {
    const r = await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: BigInt(10 + v), committedLeaderEpoch: 3, committedMetadata: `m${v}` }], { version: v })
    t.same(r.topics, [{ name: 't', topicId: r.topics[0].topicId, partitions: [{ partitionIndex: 0, errorCode: 0 }] }], `commit v${v}`)
  }
  const r10 = await commit(c, 'g', 't', [{ partitionIndex: 1, committedOffset: 5n, committedLeaderEpoch: 2, committedMetadata: null }], { version: 10, topicId })
  t.equal(r10.topics[0].topicId, topicId)
  t.equal(r10.topics[0].partitions[0].errorCode, 0)

  const v1 = await fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0, 1, 2] }], 1)
  t.same(v1.topics[0].partitions.map((p: any) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]), [[0, 19n, 'm9', 0], [1, 5n, '', 0], [2, -1n, '', 0]])
  const v5 = await fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0, 1] }], 5)
  t.same(v5.topics[0].partitions.map((p: any) => p.committedLeaderEpoch), [3, 2])
  const all = await fetchOffsets(c, 'g', null, 7)
  t.equal(all.errorCode, 0)
  t.same(all.topics.map((x: any) => [x.name, x.partitions.map((p: any) => p.partitionIndex).sort()]), [['t', [0, 1]]])
  const v8 = await c.request(GROUP_API.OffsetFetch, 8, { groups: [{ groupId: 'g', topics: null }, { groupId: 'none', topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: true })
  t.equal(v8.groups[0].groupId, 'g')
  t.equal(v8.groups[0].topics[0].partitions.length, 2)
  t.same(v8.groups[1].topics[0].partitions[0], { partitionIndex: 0, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 })
  const v10 = await c.request(GROUP_API.OffsetFetch, 10, { groups: [{ groupId: 'g', memberId: null, memberEpoch: -1, topics: [{ topicId, partitionIndexes: [0] }, { topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitionIndexes: [0] }] }], requireStable: false })
  t.equal(v10.groups[0].topics[0].topicId, topicId)
  t.equal(v10.groups[0].topics[0].partitions[0].committedOffset, 19n)
  t.equal(v10.groups[0].topics[1].partitions[0].errorCode, 100)
})

t.test('commit errors: unknown topic, metadata too large, invalid group id, unknown group with a generation', async t => {
  const b = await startTestBroker(t, { config: { 'offset.metadata.max.bytes': '5' } })
  const c = await b.client()
  await createTopic(c, { name: 't' })
  await findCoordinator(c, 'g')
  t.equal((await commit(c, 'g', 'nope', [{ partitionIndex: 0, committedOffset: 1n }])).topics[0].partitions[0].errorCode, 3)
  t.equal((await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '123456' }])).topics[0].partitions[0].errorCode, 12)
  t.equal((await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: '12345' }])).topics[0].partitions[0].errorCode, 0)
  t.equal((await commit(c, '', 't', [{ partitionIndex: 0, committedOffset: 1n }])).topics[0].partitions[0].errorCode, 24)
  t.equal((await commit(c, 'other', 't', [{ partitionIndex: 0, committedOffset: 1n }], { generationId: 1, memberId: 'm', version: 9 })).topics[0].partitions[0].errorCode, 69)
  t.equal((await commit(c, 'other', 't', [{ partitionIndex: 0, committedOffset: 1n }], { generationId: 1, memberId: 'm', version: 8 })).topics[0].partitions[0].errorCode, 22)
  const unknownId = await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 1n }], { version: 10, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' })
  t.equal(unknownId.topics[0].partitions[0].errorCode, 100)
})

t.test('before FindCoordinator created __consumer_offsets, group requests get NOT_COORDINATOR', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't' })
  t.equal((await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 1n }])).topics[0].partitions[0].errorCode, 16)
  t.equal((await fetchOffsets(c, 'g', null, 7)).errorCode, 16)
  const v1 = await fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }], 1)
  t.equal(v1.topics[0].partitions[0].errorCode, 16)
})

t.test('committed offsets survive a restart', async t => {
  const dir = tempDir(t)
  const first = await startTestBroker(t, { dir })
  let c = await first.client()
  await createTopic(c, { name: 't', numPartitions: 2 })
  await findCoordinator(c, 'g')
  await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 7, committedMetadata: 'hello' }, { partitionIndex: 1, committedOffset: 9n }])
  await commit(c, 'g', 't', [{ partitionIndex: 1, committedOffset: 10n }])
  await first.stop()
  const second = await startTestBroker(t, { dir })
  await second.running.broker.groups.whenLoaded()
  c = await second.client()
  const r = await fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0, 1] }], 7)
  t.same(r.topics[0].partitions.map((p: any) => [p.committedOffset, p.committedLeaderEpoch, p.metadata]), [[42n, 7, 'hello'], [10n, -1, '']])
})
