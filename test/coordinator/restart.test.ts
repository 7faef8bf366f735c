import t from 'tap'
import { startTestBroker, tempDir } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { findCoordinator, joinWithId, syncGroup, commit, fetchOffsets, GROUP_API } from './group-helpers.js'

t.test('a Stable group and its offsets come back after a restart; its member resumes with a heartbeat', async t => {
  const dir = tempDir(t)
  const first = await startTestBroker(t, { dir })
  let c = await first.client()
  await createTopic(c, { name: 't' })
  await findCoordinator(c, 'g')
  const j = await joinWithId(c, 'g')
  await syncGroup(c, 'g', j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.from('mine') }])
  await commit(c, 'g', 't', [{ partitionIndex: 0, committedOffset: 12n, committedMetadata: 'x' }], { generationId: j.generationId, memberId: j.memberId })
  await first.stop()

  const second = await startTestBroker(t, { dir })
  await second.running.broker.groups.whenLoaded()
  c = await second.client()
  const d = await c.request(GROUP_API.DescribeGroups, 5, { groups: ['g'], includeAuthorizedOperations: false })
  t.equal(d.groups[0].groupState, 'Stable')
  t.equal(d.groups[0].members[0].memberId, j.memberId)
  t.equal(d.groups[0].members[0].memberAssignment.toString(), 'mine')
  const hb = await c.request(GROUP_API.Heartbeat, 4, { groupId: 'g', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null })
  t.equal(hb.errorCode, 0)
  const s = await syncGroup(c, 'g', j.generationId, j.memberId)
  t.equal(s.assignment.toString(), 'mine')
  const o = await fetchOffsets(c, 'g', [{ name: 't', partitionIndexes: [0] }], 7)
  t.same([o.topics[0].partitions[0].committedOffset, o.topics[0].partitions[0].metadata], [12n, 'x'])
})

t.test('loading streams the log in offsets.load.buffer.size steps: every commit and tombstone is replayed in order', async t => {
  const dir = tempDir(t)
  const config = { 'offsets.topic.num.partitions': '1', 'offsets.load.buffer.size': '200' }
  const first = await startTestBroker(t, { dir, config })
  let c = await first.client()
  await createTopic(c, { name: 't', numPartitions: 4 })
  await findCoordinator(c, 'g')
  for (let i = 0; i < 150; i++) {
    await commit(c, `g${i % 5}`, 't', [{ partitionIndex: i % 4, committedOffset: BigInt(i), committedMetadata: `m${i}` }])
  }
  t.equal((await c.request(GROUP_API.DeleteGroups, 2, { groupsNames: ['g4'] })).results[0].errorCode, 0)
  t.ok(first.running.broker.partition('__consumer_offsets', 0)!.log.sizeInBytes() > 20 * 200, 'the log is many load steps long')
  await first.stop()
  const second = await startTestBroker(t, { dir, config })
  await second.running.broker.groups.whenLoaded()
  c = await second.client()
  for (let g = 0; g < 4; g++) {
    const r = await fetchOffsets(c, `g${g}`, [{ name: 't', partitionIndexes: [0, 1, 2, 3] }], 7)
    // Commit i went to group i%5, partition i%4; the last such i below 150 wins.
    const expected = [0, 1, 2, 3].map(p => { let last = -1; for (let i = 0; i < 150; i++) if (i % 5 === g && i % 4 === p) last = i; return last })
    t.same(r.topics[0].partitions.map((p: any) => Number(p.committedOffset)), expected, `g${g}`)
    t.same(r.topics[0].partitions.map((p: any) => p.metadata), expected.map(i => i < 0 ? '' : `m${i}`))
  }
  t.same((await fetchOffsets(c, 'g4', null, 7)).topics, [], 'the deleted group stays deleted')
  const list = await c.request(GROUP_API.ListGroups, 4, { statesFilter: [] })
  t.same(list.groups.map((g: any) => g.groupId).sort(), ['g0', 'g1', 'g2', 'g3'])
})
