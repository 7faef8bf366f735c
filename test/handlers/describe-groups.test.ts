import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { findCoordinator, joinWithId, syncGroup, GROUP_API, subscription } from '../coordinator/group-helpers.js'

t.test('DescribeGroups: Stable groups show protocol, metadata and assignments; unknown groups by version', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await findCoordinator(c, 'g')
  const j = await joinWithId(c, 'g', { groupInstanceId: 'inst', version: 9 })
  const pre = await c.request(GROUP_API.DescribeGroups, 5, { groups: ['g'], includeAuthorizedOperations: false })
  t.equal(pre.groups[0].groupState, 'CompletingRebalance')
  t.equal(pre.groups[0].protocolData, '')
  t.equal(pre.groups[0].members[0].memberMetadata.length, 0, 'no metadata outside Stable')
  await syncGroup(c, 'g', j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.from('asg') }], 5, { groupInstanceId: 'inst' })
  for (let v = 0; v <= 6; v++) {
    const r = await c.request(GROUP_API.DescribeGroups, v, { groups: ['g', 'missing'], includeAuthorizedOperations: false })
    const [g, missing] = r.groups
    t.equal(g.errorCode, 0, `v${v}`)
    t.equal(g.groupState, 'Stable')
    t.equal(g.protocolType, 'consumer')
    t.equal(g.protocolData, 'range')
    t.equal(g.members[0].memberId, j.memberId)
    t.equal(g.members[0].groupInstanceId, v >= 4 ? 'inst' : null)
    t.equal(g.members[0].clientId, 'samsa-test')
    t.equal(g.members[0].clientHost, '/127.0.0.1')
    t.same(g.members[0].memberMetadata, subscription(['t']))
    t.equal(g.members[0].memberAssignment.toString(), 'asg')
    t.equal(missing.groupState, 'Dead')
    t.equal(missing.errorCode, v >= 6 ? 69 : 0)
    t.equal(missing.errorMessage, v >= 6 ? 'Group missing not found.' : null)
  }
  const empty = await c.request(GROUP_API.DescribeGroups, 5, { groups: [''], includeAuthorizedOperations: false })
  t.equal(empty.groups[0].errorCode, 24)
})
