import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic } from '../helpers/kafka.js'

const LCR = 74

t.test('v1 lists topics, the broker and its logger; v0 only client metrics; unsupported types', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 't1' })
  const all = await c.request(LCR, 1, { resourceTypes: [] })
  t.equal(all.errorCode, 0)
  t.same(all.configResources, [{ resourceName: '1', resourceType: 8 }, { resourceName: '1', resourceType: 4 }, { resourceName: 't1', resourceType: 2 }])
  t.same((await c.request(LCR, 1, { resourceTypes: [2] })).configResources, [{ resourceName: 't1', resourceType: 2 }])
  t.same((await c.request(LCR, 0, {})).configResources, [], 'no client metrics subscriptions')
  t.equal((await c.request(LCR, 1, { resourceTypes: [2, 99] })).errorCode, 35, 'UNSUPPORTED_VERSION')
})
