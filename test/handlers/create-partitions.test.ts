import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, metadata, produceValues } from '../helpers/kafka.js'

const CREATE_PARTITIONS = 37
const grow = async (c: any, topics: { name: string, count: number, assignments?: { brokerIds: number[] }[] | null }[], validateOnly = false, version = 3): Promise<any[]> =>
  (await c.request(CREATE_PARTITIONS, version, { topics: topics.map(x => ({ assignments: null, ...x })), timeoutMs: 5000, validateOnly })).results
const partitionsOf = async (c: any, topic: string): Promise<number[]> => (await metadata(c, [topic], 12, false)).topics[0].partitions.map((p: any) => p.partitionIndex)

t.test('every version grows a topic; new partitions take produce at once and survive a restart', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'grow', numPartitions: 1 })
  for (let v = 0; v <= 3; v++) {
    const [r] = await grow(c, [{ name: 'grow', count: v + 2 }], false, v)
    t.same([r.name, r.errorCode, r.errorMessage], ['grow', 0, null], `v${v}`)
  }
  t.same(await partitionsOf(c, 'grow'), [0, 1, 2, 3, 4])
  t.equal(await produceValues(c, 'grow', ['a'], 4), 0n)
  const [assigned] = await grow(c, [{ name: 'grow', count: 6, assignments: [{ brokerIds: [1] }] }])
  t.equal(assigned.errorCode, 0)
  await b.stop()
  const again = await startTestBroker(t, { dir: b.dir })
  const c2 = await again.client()
  t.same(await partitionsOf(c2, 'grow'), [0, 1, 2, 3, 4, 5])
  t.equal(await produceValues(c2, 'grow', ['b'], 4), 1n, 'the new partition kept its data')
})

t.test('validateOnly, decreases, assignments and unknown topics with Kafka\'s messages', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'p', numPartitions: 2 })
  t.equal((await grow(c, [{ name: 'p', count: 4 }], true))[0].errorCode, 0)
  t.same(await partitionsOf(c, 'p'), [0, 1], 'validateOnly creates nothing')
  const same = (await grow(c, [{ name: 'p', count: 2 }]))[0]
  t.same([same.errorCode, same.errorMessage], [37, 'Topic already has 2 partition(s).'])
  const less = (await grow(c, [{ name: 'p', count: 1 }]))[0]
  t.same([less.errorCode, less.errorMessage], [37, 'The topic p currently has 2 partition(s); 1 would not be an increase.'])
  const count = (await grow(c, [{ name: 'p', count: 4, assignments: [{ brokerIds: [1] }] }]))[0]
  t.same([count.errorCode, count.errorMessage], [39, 'Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.'])
  const unknownBroker = (await grow(c, [{ name: 'p', count: 3, assignments: [{ brokerIds: [2] }] }]))[0]
  t.same([unknownBroker.errorCode, unknownBroker.errorMessage], [39, 'The manual partition assignment includes broker 2, but no such broker is registered.'])
  const twice = (await grow(c, [{ name: 'p', count: 3, assignments: [{ brokerIds: [1, 1] }] }]))[0]
  t.same([twice.errorCode, twice.errorMessage], [39, 'The manual partition assignment includes the broker 1 more than once.'])
  const empty = (await grow(c, [{ name: 'p', count: 3, assignments: [{ brokerIds: [] }] }]))[0]
  t.equal(empty.errorCode, 39)
  const unknown = (await grow(c, [{ name: 'nope', count: 3 }]))[0]
  t.same([unknown.errorCode, unknown.errorMessage], [3, null])
  const dup = await grow(c, [{ name: 'p', count: 3 }, { name: 'p', count: 4 }])
  t.same(dup.map(r => [r.errorCode, r.errorMessage]), [[42, 'Duplicate topic name.'], [42, 'Duplicate topic name.']])
  t.same(await partitionsOf(c, 'p'), [0, 1], 'nothing failed half-way')
})
