import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { findCoordinator, GROUP_API } from '../coordinator/group-helpers.js'

const HB = 68
const DESCRIBE = 69
const join = (groupId: string, memberId: string) => ({ groupId, memberId, memberEpoch: 0, rebalanceTimeoutMs: 30000, subscribedTopicNames: ['t'], topicPartitions: [] })

t.test('ConsumerGroupHeartbeat v0-v1 and ConsumerGroupDescribe v0-v1 over the wire', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't', numPartitions: 2 })
  await findCoordinator(c, 'g0')
  await findCoordinator(c, 'g1')
  const v0 = await c.request(HB, 0, { ...join('g0', '') })
  t.equal(v0.errorCode, 0)
  t.ok(v0.memberId.length > 0, 'v0: the broker picks the member id')
  t.equal(v0.memberEpoch, 1)
  t.equal(v0.heartbeatIntervalMs, 5000)
  t.equal(v0.assignment.topicPartitions[0].partitions.length, 2)
  const noId = await c.request(HB, 1, { ...join('g1', '') })
  t.equal(noId.errorCode, 42, 'v1 requires a client member id')
  t.equal(noId.errorMessage, "MemberId can't be empty.")
  const a = await c.request(HB, 1, { ...join('g1', 'a') })
  t.equal(a.memberId, 'a')
  const bad = await c.request(HB, 1, { ...join('g1', 'b'), serverAssignor: 'nope' })
  t.equal(bad.errorCode, 112)
  for (const v of [0, 1]) {
    const d = await c.request(DESCRIBE, v, { groupIds: ['g1', 'missing', ''], includeAuthorizedOperations: false })
    t.equal(d.groups[0].errorCode, 0)
    t.equal(d.groups[0].groupState, 'Stable')
    t.equal(d.groups[0].assignorName, 'uniform')
    t.equal(d.groups[0].members[0].memberId, 'a')
    t.equal(d.groups[0].members[0].assignment.topicPartitions[0].topicName, 't')
    if (v >= 1) t.equal(d.groups[0].members[0].memberType, 1)
    t.equal(d.groups[1].errorCode, 69)
    t.equal(d.groups[2].errorCode, 24)
  }
  const l = await c.request(GROUP_API.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] })
  t.same(l.groups.map((g: any) => [g.groupId, g.groupType, g.groupState]).sort(), [['g0', 'consumer', 'Stable'], ['g1', 'consumer', 'Stable']])
  const left = await c.request(HB, 1, { groupId: 'g1', memberId: 'a', memberEpoch: -1 })
  t.equal(left.memberEpoch, -1)
})
