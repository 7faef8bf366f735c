// KIP-848 group configs on a manual clock: a group's consumer.session.timeout.ms and
// consumer.heartbeat.interval.ms (GROUP ConfigRecords) replace the broker's for that group only.
import t from 'tap'
import { openHarness } from './harness.js'
import { incrementalAlterConfigs } from '../../src/broker/config-admin.js'
import type { ConsumerHeartbeatRequest } from '../../src/coordinator/consumer-group-coordinator.js'

function hb (groupId: string, o: Partial<ConsumerHeartbeatRequest> = {}): ConsumerHeartbeatRequest {
  return {
    groupId, memberId: '', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000,
    subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [],
    clientId: 'c', clientHost: '/127.0.0.1', apiVersion: 1, ...o
  }
}
const tick = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

t.test("a group's consumer.session.timeout.ms and heartbeat interval apply to its members", async t => {
  const h = await openHarness(t, { 'group.consumer.max.session.timeout.ms': '120000' })
  const cg = h.groups.consumer
  const [r] = await incrementalAlterConfigs(h.broker, [{ resourceType: 32, resourceName: 'slow', configs: [
    { name: 'consumer.session.timeout.ms', configOperation: 0, value: '100000' },
    { name: 'consumer.heartbeat.interval.ms', configOperation: 0, value: '8000' }
  ] }], false)
  t.equal(r!.errorCode, 0)
  const slow = await cg.heartbeat(hb('slow', { memberId: 'a' }))
  t.equal(slow.heartbeatIntervalMs, 8000, 'the group interval is given to the member')
  const plain = await cg.heartbeat(hb('plain', { memberId: 'b' }))
  t.equal(plain.heartbeatIntervalMs, 5000, 'other groups keep the broker interval')

  h.clock.advance(45001)
  await tick()
  t.equal(cg.groups.get('plain')!.size, 0, 'broker session timeout (45s) expired the other group')
  t.ok(cg.groups.get('slow')!.members.has('a'), 'the group session timeout (100s) keeps its member')
  h.clock.advance(55000)
  await tick()
  t.notOk(cg.groups.get('slow')!.members.has('a'), 'expired after 100s')

  // Removing the config brings back the broker value at the next heartbeat.
  await incrementalAlterConfigs(h.broker, [{ resourceType: 32, resourceName: 'slow', configs: [{ name: 'consumer.session.timeout.ms', configOperation: 1, value: null }] }], false)
  await cg.heartbeat(hb('slow', { memberId: 'c' }))
  h.clock.advance(45001)
  await tick()
  t.notOk(cg.groups.get('slow')!.members.has('c'), 'broker session timeout again')
})
