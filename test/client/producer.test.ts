import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { KafkaClient } from '../../src/client/client.js'
import { Producer } from '../../src/client/producer.js'
import { createTopic } from '../../src/client/admin.js'
import { BatchView } from '../../src/wire/record-batch.js'

/** Every batch header in a partition's log: [baseOffset, records, bytes]. */
async function batches (b: Awaited<ReturnType<typeof startTestBroker>>, topic: string): Promise<Array<[bigint, number, number]>> {
  const log = b.running.broker.partition(topic, 0)!.log
  const out: Array<[bigint, number, number]> = []
  let offset = 0n
  while (offset < log.logEndOffset) {
    const { records } = await log.read(offset, 1 << 20)
    let pos = 0
    while (pos + 61 <= records.length) {
      const v = new BatchView(records.subarray(pos))
      const size = v.size
      out.push([v.baseOffset, v.recordsCount, size])
      offset = v.baseOffset + BigInt(v.lastOffsetDelta) + 1n
      pos += size
    }
  }
  return out
}

t.test('records sent all at once go out as batches of at most batchBytes, in order', async t => {
  const b = await startTestBroker(t)
  const client = new KafkaClient({ brokers: [`127.0.0.1:${b.port}`] })
  t.teardown(() => client.close())
  await createTopic(client, { name: 'bulk', partitions: 1 })
  const producer = new Producer(client, 'bulk', { batchBytes: 4096 })
  // All sends start before any metadata is known: the case that used to make every record re-trigger a flush.
  const sent = Array.from({ length: 5000 }, (_, i) => producer.send({ key: null, value: Buffer.from(`r${i}-${'v'.repeat(80)}`), partition: 0 }))
  const results = await Promise.all(sent)
  await producer.flush()
  t.same(results.map(r => r.offset), results.map((_, i) => BigInt(i)), 'offsets follow the send order')
  const bs = await batches(b, 'bulk')
  t.equal(bs.reduce((n, x) => n + x[1], 0), 5000, 'every record is in the log once')
  t.ok(bs.length >= 5000 * 100 / 4096, `split into ${bs.length} batches`)
  t.ok(bs.every(([, n, bytes]) => n > 1 && bytes <= 4096 + 200), 'none is much bigger than batchBytes (record overhead aside)')

  const big = new Producer(client, 'bulk', { batchBytes: 1024 })
  const r = await big.send({ key: null, value: Buffer.alloc(5000, 1), partition: 0 })
  t.equal(r.offset, 5000n, 'a record bigger than batchBytes goes alone')
})
