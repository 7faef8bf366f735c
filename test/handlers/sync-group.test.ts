import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { findCoordinator, joinWithId, joinGroup, syncGroup } from '../coordinator/group-helpers.js'

t.test('SyncGroup at every version returns the leader assignment; v5 checks protocol type and name', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await findCoordinator(c, 'g')
  for (let v = 0; v <= 5; v++) {
    const group = `g${v}`
    const j = v < 3 ? await joinGroup(c, group, { version: 3 }) : await joinWithId(c, group)
    const s = await syncGroup(c, group, j.generationId, j.memberId, [{ memberId: j.memberId, assignment: Buffer.from(`v${v}`) }], v)
    t.equal(s.errorCode, 0, `v${v}`)
    t.equal(s.assignment.toString(), `v${v}`)
    t.equal(s.protocolName, v >= 5 ? 'range' : null)
    t.equal(s.protocolType, v >= 5 ? 'consumer' : null)
  }
  const j = await joinWithId(c, 'x')
  t.equal((await syncGroup(c, 'x', j.generationId, j.memberId, [], 5, { protocolName: 'cooperative-sticky' })).errorCode, 23)
  t.equal((await syncGroup(c, 'x', j.generationId + 1, j.memberId, [], 5)).errorCode, 22)
  t.equal((await syncGroup(c, 'x', j.generationId, 'nobody', [], 5)).errorCode, 25)
  t.equal((await syncGroup(c, '', 1, 'm', [], 5)).errorCode, 24)
  t.equal((await syncGroup(c, 'unknown-group', 1, 'm', [], 5)).errorCode, 25)
  const ok = await syncGroup(c, 'x', j.generationId, j.memberId, [], 5, { protocolType: null, protocolName: null })
  t.equal(ok.errorCode, 0, 'null protocol fields are not checked')
  t.equal(ok.assignment.length, 0, 'a member the leader left out gets an empty assignment')
})
