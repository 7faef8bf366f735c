import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API, createTopic, batch, produce, listOffsets } from '../helpers/kafka.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'

const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n

async function seed (c: any, topic: string): Promise<void> {
  await createTopic(c, { name: topic, numPartitions: 2 })
  // Offsets 0-2 at 1000/9000/2000 (a producer may send out of order), then 3-4 at 4000/5000.
  const rec = (ts: bigint): object => ({ key: null, value: Buffer.from(String(ts)), timestamp: ts })
  await produce(c, { topic, records: await batch([rec(1000n), rec(9000n), rec(2000n)] as any) })
  await produce(c, { topic, records: await batch([rec(4000n), rec(5000n)] as any) })
}

t.test('earliest and latest at every version 1..11; leader epoch from v4', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'lo')
  for (let v = 1; v <= 11; v++) {
    const [latest, empty] = await listOffsets(c, 'lo', [{ partitionIndex: 0, timestamp: LATEST }, { partitionIndex: 1, timestamp: LATEST }], v)
    const [earliest] = await listOffsets(c, 'lo', [{ partitionIndex: 0, timestamp: EARLIEST }], v)
    t.match(latest, { partitionIndex: 0, errorCode: 0, offset: 5n, timestamp: -1n }, `v${v} latest`)
    t.match(earliest, { errorCode: 0, offset: 0n, timestamp: -1n }, `v${v} earliest`)
    t.match(empty, { partitionIndex: 1, errorCode: 0, offset: 0n }, `v${v} empty partition latest`)
    t.equal(latest.leaderEpoch, v >= 4 ? 0 : -1, `v${v} latest leader epoch`)
    t.equal(earliest.leaderEpoch, v >= 4 ? 0 : -1, `v${v} earliest leader epoch`)
  }
})

t.test('a duplicated partition is INVALID_REQUEST; unknown partitions and topics are 3', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'dup')
  const res = await listOffsets(c, 'dup', [
    { partitionIndex: 0, timestamp: LATEST },
    { partitionIndex: 0, timestamp: EARLIEST },
    { partitionIndex: 1, timestamp: LATEST },
    { partitionIndex: 5, timestamp: LATEST }
  ])
  t.same(res.map(p => [p.partitionIndex, p.errorCode]), [[0, 42], [0, 42], [1, 0], [5, 3]])
  t.match(res[0], { offset: -1n, timestamp: -1n, leaderEpoch: -1 })
  const unknown = await listOffsets(c, 'nope', [{ partitionIndex: 0, timestamp: LATEST }])
  t.equal(unknown[0].errorCode, 3)
})

t.test('max timestamp (-3) from v7', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'max')
  for (const v of [7, 9, 11]) {
    const [r, empty] = await listOffsets(c, 'max', [{ partitionIndex: 0, timestamp: MAX_TIMESTAMP }, { partitionIndex: 1, timestamp: MAX_TIMESTAMP }], v)
    t.match(r, { errorCode: 0, offset: 1n, timestamp: 9000n, leaderEpoch: 0 }, `v${v}`)
    t.match(empty, { errorCode: 0, offset: -1n, timestamp: -1n }, `v${v} empty partition`)
  }
})

t.test('by timestamp: the first offset whose timestamp is at or after it', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'ts')
  const cases: [bigint, bigint, bigint][] = [
    [0n, 0n, 1000n],
    [1000n, 0n, 1000n],
    [1001n, 1n, 9000n],
    [3000n, 1n, 9000n],
    [9000n, 1n, 9000n]
  ]
  for (const v of [1, 4, 8, 11]) {
    for (const [ts, offset, found] of cases) {
      const [r] = await listOffsets(c, 'ts', [{ partitionIndex: 0, timestamp: ts }], v)
      t.match(r, { errorCode: 0, offset, timestamp: found }, `v${v} ts ${ts}`)
      t.equal(r.leaderEpoch, v >= 4 ? 0 : -1)
    }
    const [after] = await listOffsets(c, 'ts', [{ partitionIndex: 0, timestamp: 9001n }], v)
    t.match(after, { errorCode: 0, offset: -1n, timestamp: -1n }, `v${v} after every record`)
  }
})

t.test('by timestamp with monotonic timestamps across batches', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'mono' })
  for (let i = 0; i < 5; i++) {
    await produce(c, { topic: 'mono', records: await batch([{ value: Buffer.from('a'), timestamp: BigInt(i * 100 + 10) }, { value: Buffer.from('b'), timestamp: BigInt(i * 100 + 20) }]) })
  }
  const [r] = await listOffsets(c, 'mono', [{ partitionIndex: 0, timestamp: 215n }])
  t.match(r, { offset: 5n, timestamp: 220n })
  const [r2] = await listOffsets(c, 'mono', [{ partitionIndex: 0, timestamp: 300n }])
  t.match(r2, { offset: 6n, timestamp: 310n })
})

t.test('current leader epoch checks from v4', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'le')
  const res = await listOffsets(c, 'le', [{ partitionIndex: 0, timestamp: LATEST, currentLeaderEpoch: 1 }, { partitionIndex: 1, timestamp: LATEST, currentLeaderEpoch: 0 }], 4)
  t.same(res.map(p => p.errorCode), [ErrorCode.UNKNOWN_LEADER_EPOCH, 0])
})

t.test('READ_COMMITTED latest is the last stable offset', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await seed(c, 'rc')
  const [r] = await listOffsets(c, 'rc', [{ partitionIndex: 0, timestamp: LATEST }], 5, 1)
  t.match(r, { errorCode: 0, offset: 5n })
  const res = await c.request(API.ListOffsets, 2, { replicaId: -1, isolationLevel: 1, topics: [{ name: 'rc', partitions: [{ partitionIndex: 0, timestamp: LATEST }] }] })
  t.equal(res.topics[0].partitions[0].offset, 5n)
})

t.test('earliest on an empty partition carries the leader epoch (v4+)', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'empty-epoch' })
  const [r] = await listOffsets(c, 'empty-epoch', [{ partitionIndex: 0, timestamp: EARLIEST }], 9)
  t.match(r, { errorCode: 0, offset: 0n, timestamp: -1n, leaderEpoch: 0 })
})
