import t from 'tap'
import { encodeBatch, decodeBatches, type DecodedBatch } from '../../src/wire/records.js'
import { deliverableBatches, controlType, READ_COMMITTED, READ_UNCOMMITTED } from '../../src/client/read-committed.js'

function marker (type: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeInt16BE(0, 0)
  b.writeInt16BE(type, 2)
  return b
}

async function batches (): Promise<DecodedBatch[]> {
  const parts = [
    // offsets 0-1: producer 7, transaction aborted later
    await encodeBatch({ baseOffset: 0n, producerId: 7n, isTransactional: true, records: [{ value: Buffer.from('a7-0') }, { value: Buffer.from('a7-1') }] }),
    // 2: producer 8, committed
    await encodeBatch({ baseOffset: 2n, producerId: 8n, isTransactional: true, records: [{ value: Buffer.from('c8-2') }] }),
    // 3: plain idempotent batch of producer 7 (not transactional): never dropped
    await encodeBatch({ baseOffset: 3n, producerId: 7n, records: [{ value: Buffer.from('plain-3') }] }),
    // 4: producer 7's ABORT marker
    await encodeBatch({ baseOffset: 4n, producerId: 7n, isTransactional: true, isControl: true, records: [{ key: marker(0), value: Buffer.alloc(6) }] }),
    // 5: producer 8's COMMIT marker
    await encodeBatch({ baseOffset: 5n, producerId: 8n, isTransactional: true, isControl: true, records: [{ key: marker(1), value: Buffer.alloc(6) }] }),
    // 6: producer 7 again, a new transaction that is committed
    await encodeBatch({ baseOffset: 6n, producerId: 7n, isTransactional: true, records: [{ value: Buffer.from('c7-6') }] }),
    // 7: a producer without id
    await encodeBatch({ baseOffset: 7n, records: [{ value: Buffer.from('none-7') }] })
  ]
  return await decodeBatches(Buffer.concat(parts))
}

const values = (bs: DecodedBatch[]): string[] => bs.flatMap(b => b.records.map(r => r.value!.toString()))

t.test('read_uncommitted keeps every data batch and drops control batches', async t => {
  t.same(values(deliverableBatches(await batches(), READ_UNCOMMITTED, [{ producerId: 7n, firstOffset: 0n }])), ['a7-0', 'a7-1', 'c8-2', 'plain-3', 'c7-6', 'none-7'])
})

t.test('read_committed drops the aborted range of a producer up to its ABORT marker', async t => {
  const bs = await batches()
  t.equal(controlType(bs[3]!), 0)
  t.equal(controlType(bs[4]!), 1)
  t.same(values(deliverableBatches(bs, READ_COMMITTED, [{ producerId: 7n, firstOffset: 0n }])), ['c8-2', 'plain-3', 'c7-6', 'none-7'])
  // Without aborted transactions listed everything transactional is committed.
  t.same(values(deliverableBatches(bs, READ_COMMITTED, [])), ['a7-0', 'a7-1', 'c8-2', 'plain-3', 'c7-6', 'none-7'])
  t.same(values(deliverableBatches(bs, READ_COMMITTED, null)), ['a7-0', 'a7-1', 'c8-2', 'plain-3', 'c7-6', 'none-7'])
})

t.test('an aborted transaction counts only from its first offset, and the list may come unsorted', async t => {
  const bs = await batches()
  // Producer 7's aborted transaction starting at 6 leaves 0-1 (an earlier, committed transaction) alone.
  t.same(values(deliverableBatches(bs, READ_COMMITTED, [{ producerId: 7n, firstOffset: 6n }])), ['a7-0', 'a7-1', 'c8-2', 'plain-3', 'none-7'])
  t.same(values(deliverableBatches(bs, READ_COMMITTED, [{ producerId: 7n, firstOffset: 6n }, { producerId: 8n, firstOffset: 2n }])), ['a7-0', 'a7-1', 'plain-3', 'none-7'])
  // Producer 8's COMMIT marker does not end an aborted state: only an ABORT marker does.
  t.same(values(deliverableBatches(bs, READ_COMMITTED, [{ producerId: 8n, firstOffset: 2n }, { producerId: 7n, firstOffset: 0n }])), ['plain-3', 'c7-6', 'none-7'])
})
