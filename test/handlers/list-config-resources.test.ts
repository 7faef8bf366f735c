import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'
import { commit, findCoordinator, GROUP_API } from '../coordinator/group-helpers.js'

const LCR = 74
const IAC = 44
const GROUP = 32

t.test('v1 lists topics, the broker and its logger; v0 only client metrics; unsupported types', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't1' })
  const all = await c.request(LCR, 1, { resourceTypes: [] })
  t.equal(all.errorCode, 0)
  t.same(all.configResources, [{ resourceName: '1', resourceType: 8 }, { resourceName: '1', resourceType: 4 }, { resourceName: 't1', resourceType: 2 }])
  t.same((await c.request(LCR, 1, { resourceTypes: [2] })).configResources, [{ resourceName: 't1', resourceType: 2 }])
  t.same((await c.request(LCR, 1, { resourceTypes: [2, 4, 2] })).configResources, [{ resourceName: '1', resourceType: 4 }, { resourceName: 't1', resourceType: 2 }], 'a type named twice is listed once, in Kafka\'s order')
  t.same((await c.request(LCR, 0, {})).configResources, [], 'no client metrics subscriptions')
  for (const resourceTypes of [[2, 99], [0], [1], [-1]]) {
    t.same(await c.request(LCR, 1, { resourceTypes }), { throttleTimeMs: 0, errorCode: 35, configResources: [] }, `types ${resourceTypes.join(',')}: UNSUPPORTED_VERSION, nothing listed`)
  }
})

t.test('GROUP lists groups with configs, not every group the coordinator knows', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't' })
  await findCoordinator(c, 'plain')
  t.equal((await commit(c, 'plain', 't', [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: null }], { version: 8 })).topics[0].partitions[0].errorCode, 0)
  const groups = await c.request(GROUP_API.ListGroups, 5, { statesFilter: [], typesFilter: [] })
  t.same(groups.groups.map((g: any) => g.groupId), ['plain'], 'the coordinator knows the group')
  t.same((await c.request(LCR, 1, { resourceTypes: [GROUP] })).configResources, [], 'a group without configs is not a config resource')
  const set = await c.request(IAC, 1, { resources: [{ resourceType: GROUP, resourceName: 'configured', configs: [{ name: 'consumer.session.timeout.ms', configOperation: 0, value: '50000' }] }], validateOnly: false })
  t.equal(set.responses[0].errorCode, 0)
  t.same((await c.request(LCR, 1, { resourceTypes: [] })).configResources.filter((r: any) => r.resourceType === GROUP), [{ resourceName: 'configured', resourceType: GROUP }])
})
