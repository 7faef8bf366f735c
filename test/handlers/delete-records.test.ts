import t from 'tap'
import { startStorageBroker } from '../broker/log-maintenance-helper.js'
import { createTopic, fetchOne, listOffsets, produceValues } from '../helpers/kafka.js'
import type { RawClient } from '../helpers/raw-client.js'

const DELETE_RECORDS = 21

async function deleteRecords (c: RawClient, topic: string, partitions: Array<[number, bigint]>, version = 2): Promise<any[]> {
  const res = await c.request(DELETE_RECORDS, version, { topics: [{ name: topic, partitions: partitions.map(([partitionIndex, offset]) => ({ partitionIndex, offset })) }], timeoutMs: 1000 })
  return res.topics[0].partitions
}

t.test('DeleteRecords moves the log start offset; fetch below it is out of range; ListOffsets earliest follows', async t => {
  const sb = await startStorageBroker(t)
  const c = await sb.client()
  await createTopic(c, { name: 'dr', numPartitions: 2 })
  await produceValues(c, 'dr', ['a', 'b', 'c', 'd', 'e'])
  for (const v of [0, 1, 2]) {
    const [r] = await deleteRecords(c, 'dr', [[0, 2n]], v)
    t.same(r, { partitionIndex: 0, lowWatermark: 2n, errorCode: 0 }, `v${v}`)
  }
  const [earliest] = await listOffsets(c, 'dr', [{ partitionIndex: 0, timestamp: -2n }])
  t.equal(earliest.offset, 2n)
  const below = await fetchOne(c, { topic: 'dr', offset: 1n })
  t.equal(below.partition.errorCode, 1, 'OFFSET_OUT_OF_RANGE')
  // A lower offset is a no-op that still succeeds; -1 means the high watermark.
  t.same((await deleteRecords(c, 'dr', [[0, 1n]]))[0], { partitionIndex: 0, lowWatermark: 2n, errorCode: 0 })
  t.same((await deleteRecords(c, 'dr', [[0, -1n]]))[0], { partitionIndex: 0, lowWatermark: 5n, errorCode: 0 })
  t.same((await deleteRecords(c, 'dr', [[0, 6n]]))[0], { partitionIndex: 0, lowWatermark: -1n, errorCode: 1 }, 'beyond the high watermark')
  t.same((await deleteRecords(c, 'dr', [[0, -2n]]))[0], { partitionIndex: 0, lowWatermark: -1n, errorCode: 1 }, 'negative')
  t.same((await deleteRecords(c, 'dr', [[7, 0n]]))[0], { partitionIndex: 7, lowWatermark: -1n, errorCode: 3 })
  t.same((await deleteRecords(c, 'nope', [[0, 0n]]))[0], { partitionIndex: 0, lowWatermark: -1n, errorCode: 3 })
  t.same((await deleteRecords(c, 'dr', [[1, 0n]]))[0], { partitionIndex: 1, lowWatermark: 0n, errorCode: 0 }, 'empty partition, offset 0')
})

t.test('DeleteRecords on a compact-only topic is a policy violation', async t => {
  const sb = await startStorageBroker(t)
  const c = await sb.client()
  await createTopic(c, { name: 'cmp', configs: { 'cleanup.policy': 'compact' } })
  t.same((await deleteRecords(c, 'cmp', [[0, 0n]]))[0], { partitionIndex: 0, lowWatermark: -1n, errorCode: 44 })
})

t.test('the log start offset survives a restart', async t => {
  const { tempDir } = await import('../helpers/broker.js')
  const dir = tempDir(t)
  let sb = await startStorageBroker(t, { dir })
  let c = await sb.client()
  await createTopic(c, { name: 'keep' })
  await produceValues(c, 'keep', ['a', 'b', 'c'])
  await deleteRecords(c, 'keep', [[0, 2n]])
  await sb.stop()
  sb = await startStorageBroker(t, { dir })
  c = await sb.client()
  const [earliest] = await listOffsets(c, 'keep', [{ partitionIndex: 0, timestamp: -2n }])
  t.equal(earliest.offset, 2n)
})
