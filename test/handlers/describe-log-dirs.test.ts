import t from 'tap'
import { resolve } from 'node:path'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, produceValues } from '../helpers/kafka.js'

const DLD = 35

t.test('the data dir with real partition sizes; filters; totals from v4', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'sized', numPartitions: 2 })
  await createTopic(c, { name: 'other' })
  await produceValues(c, 'sized', ['x'.repeat(500), 'y'.repeat(500)], 1)
  for (let v = 1; v <= 5; v++) {
    const r = await c.request(DLD, v, { topics: null })
    t.equal(r.results.length, 1, `v${v}`)
    const d = r.results[0]
    t.equal(d.errorCode, 0)
    t.equal(d.logDir, resolve(b.dir))
    const sized = d.topics.find((x: any) => x.name === 'sized')
    t.same(sized.partitions.map((p: any) => p.partitionIndex), [0, 1])
    t.equal(sized.partitions[0].partitionSize, 0n)
    t.equal(sized.partitions[1].partitionSize, BigInt(b.running.broker.partition('sized', 1)!.log.sizeInBytes()))
    t.ok(sized.partitions[1].partitionSize > 1000n, 'the bytes written')
    t.equal(sized.partitions[1].offsetLag, 0n)
    t.notOk(d.topics.some((x: any) => x.name === '__cluster_metadata'))
    if (v >= 4) {
      t.ok(d.totalBytes > 0n && d.usableBytes > 0n && d.usableBytes <= d.totalBytes)
    }
  }
  const filtered = (await c.request(DLD, 4, { topics: [{ topic: 'sized', partitions: [1, 7, -1] }, { topic: 'missing', partitions: [0] }, { topic: 'other', partitions: [3] }] })).results[0]
  t.same(filtered.topics.map((x: any) => [x.name, x.partitions.map((p: any) => p.partitionIndex)]), [['sized', [1]]], 'partitions not hosted are not listed, nor topics left empty')
  t.same(filtered.topics[0].partitions[0].isFutureKey, false)
  const none = (await c.request(DLD, 4, { topics: [] })).results[0]
  t.same(none.topics, [], 'an empty list asks for nothing')
})
