import t from 'tap'
import { ProducerStateManager, NUM_BATCHES_TO_RETAIN } from '../../src/log/producer-state.js'
import { encodeSnapshot, decodeSnapshot, CorruptSnapshotError } from '../../src/log/producer-state-snapshot.js'
import { TxnIndex, encodeAbortedTxn, decodeAbortedTxns } from '../../src/log/txn-index.js'

const b = (pid: bigint, epoch: number, seq: number, n: number, txn = false) => ({ producerId: pid, producerEpoch: epoch, baseSequence: seq, lastOffsetDelta: n - 1, maxTimestamp: 1000n, isTransactional: txn })

t.test('sequence, epoch and duplicate checks with the five-batch window', async t => {
  const ps = new ProducerStateManager()
  let off = 0n
  for (let i = 0; i < 6; i++) {
    t.same(ps.check(b(1n, 0, i * 2, 2), off), { kind: 'append' })
    ps.applyData(b(1n, 0, i * 2, 2), off)
    off += 2n
  }
  t.same(ps.check(b(1n, 0, 10, 2), off), { kind: 'duplicate', firstOffset: 10n, lastOffset: 11n, timestamp: 1000n })
  t.equal(ps.check(b(1n, 0, 0, 2), off).kind, 'error', `only the last ${NUM_BATCHES_TO_RETAIN} batches are duplicates; older is a gap`)
  t.match(ps.check(b(1n, 0, 13, 1), off), { kind: 'error', errorCode: 45 })
  t.match(ps.check(b(1n, 1, 3, 1), off), { kind: 'error', errorCode: 45 }, 'a new epoch must start at 0')
  ps.applyData(b(1n, 1, 0, 1), off++)
  t.match(ps.check(b(1n, 0, 12, 1), off), { kind: 'error', errorCode: 47 })
  t.same(ps.check(b(2n, 0, 77, 1), off), { kind: 'append' }, 'unknown producer: any sequence')
  ps.applyData(b(3n, 0, 0x7fffffff, 1), off++)
  t.same(ps.check(b(3n, 0, 0, 1), off), { kind: 'append' }, 'sequence wraps at Int32.MAX')
})

t.test('transactions: first unstable offset, markers, LSO after completion, expiry', async t => {
  const ps = new ProducerStateManager(1000)
  ps.applyData(b(1n, 0, 0, 2, true), 0n)
  ps.applyData(b(2n, 0, 0, 1, true), 2n)
  t.equal(ps.firstUnstableOffset(), 0n)
  t.match(ps.check(b(1n, 0, 2, 1, false), 3n), { kind: 'error', errorCode: 48 }, 'non-transactional write inside a transaction')
  t.equal(ps.checkMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 0, commit: false, timestamp: 1n }), null)
  const done = ps.applyMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 3, commit: false, timestamp: 1n }, 3n)
  t.same(done, { producerId: 1n, firstOffset: 0n, lastOffset: 3n, isAborted: true })
  t.equal(ps.lastStableOffsetAfter(done), 2n, 'the other open transaction still holds the LSO')
  t.match(ps.checkMarker({ producerId: 1n, producerEpoch: 0, coordinatorEpoch: 2, commit: true, timestamp: 1n }), { errorCode: 52 }, 'older coordinator epoch fenced')
  t.equal(ps.removeExpired(5000), 1, 'idle producer 1 goes; producer 2 has an open transaction')
  t.ok(ps.producers.has(2n))
})

t.test('snapshot round trip keeps the last batch, open transactions and rejects corruption', async t => {
  const ps = new ProducerStateManager()
  ps.applyData(b(5n, 2, 10, 3, true), 100n)
  const bytes = encodeSnapshot(ps.producers.values())
  const back = new ProducerStateManager()
  back.loadEntries(decodeSnapshot(bytes), 103n, 1500)
  t.equal(back.firstUnstableOffset(), 100n)
  t.same(back.check(b(5n, 2, 10, 3, true), 103n).kind, 'duplicate')
  t.same(back.check(b(5n, 2, 13, 1, true), 103n), { kind: 'append' })
  const bad = Buffer.from(bytes)
  bad[bad.length - 1] ^= 1
  t.throws(() => decodeSnapshot(bad), CorruptSnapshotError)
})

t.test('txn index: Kafka entry format, overlap collection, torn tail', async t => {
  const e = { producerId: 7n, firstOffset: 10n, lastOffset: 20n, lastStableOffset: 21n }
  const raw = Buffer.concat([encodeAbortedTxn(e), Buffer.alloc(5)])
  t.same(decodeAbortedTxns(raw), [e], 'a torn trailing entry is ignored')
  const idx = new TxnIndex('/nonexistent')
  idx.add(e)
  idx.add({ producerId: 8n, firstOffset: 30n, lastOffset: 40n, lastStableOffset: 41n })
  t.same(idx.collect(0n, 10n).length, 0, 'upper bound exclusive')
  t.same(idx.collect(15n, 35n).map(x => x.producerId), [7n, 8n])
  t.same(idx.collect(21n, 100n).map(x => x.producerId), [8n])
})
