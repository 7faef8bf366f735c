import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopicsRaw } from '../helpers/kafka.js'

t.test('CreateTopics v7 over controller_mutation_rate: THROTTLING_QUOTA_EXCEEDED with a throttle time', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const res = await c.request(49, 1, { entries: [{ entity: [{ entityType: 'user', entityName: null }], ops: [{ key: 'controller_mutation_rate', value: 1, remove: false }] }], validateOnly: false })
  t.equal(res.entries[0].errorCode, 0)
  // A burst of 1/s * 11 samples * 1 s: 12 partitions drain the bucket below zero but pass.
  const first = await createTopicsRaw(c, [{ name: 'big', numPartitions: 12 }], { version: 7 })
  t.equal(first.topics[0].errorCode, 0)
  const second = await createTopicsRaw(c, [{ name: 'small', numPartitions: 1 }], { version: 7 })
  t.equal(second.topics[0].errorCode, 89)
  t.equal(second.topics[0].errorMessage, 'The throttling quota has been exceeded.')
  t.ok(second.throttleTimeMs > 0 && second.throttleTimeMs <= 1000, `throttle ${second.throttleTimeMs}`)
})
