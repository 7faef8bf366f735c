import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { findCoordinator, joinWithId, syncGroup, commit, fetchOffsets, GROUP_API } from '../coordinator/group-helpers.js'

t.test('OffsetDelete: unsubscribed topics of a live consumer group, everything of an empty one', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't' })
  await createTopic(c, { name: 'other' })
  await findCoordinator(c, 'g')
  const j = await joinWithId(c, 'g')
  await syncGroup(c, 'g', j.generationId, j.memberId)
  await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 1n }], { generationId: j.generationId, memberId: j.memberId })
  await commit(c, 'g', 'other', [{ partitionIndex: 0, committedOffset: 2n }], { generationId: j.generationId, memberId: j.memberId })
  const del = (groupId: string, topics: { name: string, partitions: { partitionIndex: number }[] }[]): Promise<any> => c.request(GROUP_API.OffsetDelete, 0, { groupId, topics })
  const r = await del('g', [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'other', partitions: [{ partitionIndex: 0 }] }, { name: 'gone', partitions: [{ partitionIndex: 0 }] }])
  t.equal(r.errorCode, 0)
  t.same(r.topics.map((x: any) => x.partitions[0].errorCode), [86, 0, 3])
  t.same((await fetchOffsets(c, 'g', null, 7)).topics.map((x: any) => x.name), ['t'])
  t.equal((await del('missing', [])).errorCode, 69)
  t.equal((await del('', [])).errorCode, 24)
  await c.request(GROUP_API.LeaveGroup, 5, { groupId: 'g', members: [{ memberId: j.memberId, groupInstanceId: null, reason: null }] })
  const after = await del('g', [{ name: 't', partitions: [{ partitionIndex: 0 }] }])
  t.same(after.topics[0].partitions[0].errorCode, 0)
  t.same((await fetchOffsets(c, 'g', null, 7)).topics, [])
})
