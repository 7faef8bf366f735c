import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, batch, textRecords, produceBody, fetchOne, values, listOffsets, API } from '../helpers/kafka.js'
import type { RawClient } from '../helpers/raw-client.js'

const KEY = { InitProducerId: 22, AddPartitionsToTxn: 24, AddOffsetsToTxn: 25, EndTxn: 26, TxnOffsetCommit: 28, FindCoordinator: 10, DescribeProducers: 61, DescribeTransactions: 65, ListTransactions: 66, OffsetFetch: 9 }

async function produceTxn (c: RawClient, topic: string, transactionalId: string | null, opts: { pid: bigint, epoch: number, seq: number, txn: boolean, vals: string[] }): Promise<any> {
  const records = await batch(textRecords(opts.vals), { producerId: opts.pid, producerEpoch: opts.epoch, baseSequence: opts.seq, isTransactional: opts.txn })
  const body = { ...produceBody([{ topic, records }]), transactionalId }
  const res = await c.request(API.Produce, 9, body)
  return res.responses[0].partitionResponses[0]
}

/** What a read_committed consumer keeps: the client-side filtering Kafka consumers apply. */
function readCommittedView (batches: any[], aborted: { producerId: bigint, firstOffset: bigint }[]): any[] {
  const pending = [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1))
  const abortedNow = new Set<bigint>()
  const out: any[] = []
  for (const b of batches) {
    while (pending.length > 0 && pending[0]!.firstOffset <= b.baseOffset + BigInt(b.lastOffsetDelta)) abortedNow.add(pending.shift()!.producerId)
    if (b.isControl) { abortedNow.delete(b.producerId); continue }
    if (b.isTransactional && abortedNow.has(b.producerId)) continue
    out.push(b)
  }
  return out
}

async function until (fn: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!await fn()) {
    if (Date.now() > end) throw new Error('condition not reached')
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

t.test('idempotent producer: duplicates answered with the original offset, gaps and old epochs refused', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'idem', numPartitions: 1 })
  const init = await c.request(KEY.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(init.errorCode, 0)
  t.equal(init.producerEpoch, 0)
  const init2 = await c.request(KEY.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.not(init2.producerId, init.producerId, 'a new id each time')
  const pid = init.producerId
  const r0 = await produceTxn(c, 'idem', null, { pid, epoch: 0, seq: 0, txn: false, vals: ['a', 'b'] })
  t.equal(r0.errorCode, 0)
  t.equal(r0.baseOffset, 0n)
  const r1 = await produceTxn(c, 'idem', null, { pid, epoch: 0, seq: 2, txn: false, vals: ['c'] })
  t.equal(r1.baseOffset, 2n)
  const dup = await produceTxn(c, 'idem', null, { pid, epoch: 0, seq: 0, txn: false, vals: ['a', 'b'] })
  t.equal(dup.errorCode, 0, 'duplicate is a success')
  t.equal(dup.baseOffset, 0n, 'with the original offset')
  t.equal(b.running.broker.partition('idem', 0)!.log.logEndOffset, 3n, 'and nothing appended')
  const gap = await produceTxn(c, 'idem', null, { pid, epoch: 0, seq: 7, txn: false, vals: ['x'] })
  t.equal(gap.errorCode, 45, 'OUT_OF_ORDER_SEQUENCE_NUMBER')
  const bumped = await produceTxn(c, 'idem', null, { pid, epoch: 1, seq: 0, txn: false, vals: ['d'] })
  t.equal(bumped.errorCode, 0, 'a new epoch starts at 0')
  const old = await produceTxn(c, 'idem', null, { pid, epoch: 0, seq: 3, txn: false, vals: ['e'] })
  t.equal(old.errorCode, 47, 'INVALID_PRODUCER_EPOCH')
  const newEpochBadSeq = await produceTxn(c, 'idem', null, { pid, epoch: 2, seq: 4, txn: false, vals: ['f'] })
  t.equal(newEpochBadSeq.errorCode, 45)
  const unknown = await produceTxn(c, 'idem', null, { pid: 999_999n, epoch: 0, seq: 42, txn: false, vals: ['g'] })
  t.equal(unknown.errorCode, 0, 'an unknown producer is accepted at any sequence (KIP-360)')
  const dp = await c.request(KEY.DescribeProducers, 0, { topics: [{ name: 'idem', partitionIndexes: [0, 5] }] })
  const ps = dp.topics[0].partitions
  t.equal(ps[1].errorCode, 3)
  const mine = ps[0].activeProducers.find((p: any) => p.producerId === pid)
  t.equal(mine.producerEpoch, 1)
  t.equal(mine.lastSequence, 0)
  t.equal(mine.currentTxnStartOffset, -1n)

  // Dedup survives a restart (snapshot at clean shutdown).
  const dir = b.dir
  await b.stop()
  const b2 = await startTestBroker(t, { dir })
  const c2 = await b2.client()
  const again = await produceTxn(c2, 'idem', null, { pid, epoch: 1, seq: 0, txn: false, vals: ['d'] })
  t.equal(again.baseOffset, 3n, 'duplicate after restart answered from the snapshot')
  const next = await produceTxn(c2, 'idem', null, { pid, epoch: 1, seq: 1, txn: false, vals: ['h'] })
  t.equal(next.errorCode, 0)
  const gap2 = await produceTxn(c2, 'idem', null, { pid, epoch: 1, seq: 9, txn: false, vals: ['i'] })
  t.equal(gap2.errorCode, 45)
  const init3 = await c2.request(KEY.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.ok(init3.producerId > init2.producerId, 'producer ids are not reused across restarts')
})

t.test('transactions: verification, abort, commit, read_committed, LSO, admin APIs, restart', async t => {
  const b = await startTestBroker(t, { config: { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' } })
  const c = await b.client()
  await createTopic(c, { name: 'tx', numPartitions: 1 })
  const fc = await c.request(KEY.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['t1'] })
  t.equal(fc.coordinators[0].errorCode, 0)
  t.equal(fc.coordinators[0].port, b.port)
  const badTimeout = await c.request(KEY.InitProducerId, 4, { transactionalId: 't1', transactionTimeoutMs: 900001, producerId: -1n, producerEpoch: -1 })
  t.equal(badTimeout.errorCode, 50, 'INVALID_TRANSACTION_TIMEOUT')
  const init = await c.request(KEY.InitProducerId, 4, { transactionalId: 't1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(init.errorCode, 0)
  t.equal(init.producerEpoch, 0)
  const pid = init.producerId
  const early = await produceTxn(c, 'tx', 't1', { pid, epoch: 0, seq: 0, txn: true, vals: ['early'] })
  t.equal(early.errorCode, 48, 'INVALID_TXN_STATE before AddPartitionsToTxn')
  const endEmpty = await c.request(KEY.EndTxn, 3, { transactionalId: 't1', producerId: pid, producerEpoch: 0, committed: true })
  t.equal(endEmpty.errorCode, 48, 'EndTxn with no transaction')
  const add = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't1', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }] })
  t.equal(add.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 0)
  const addBad = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't1', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }, { name: 'nope', partitions: [0] }] })
  t.same(addBad.resultsByTopicV3AndBelow.map((x: any) => x.resultsByPartition[0].partitionErrorCode), [55, 3], 'OPERATION_NOT_ATTEMPTED beside UNKNOWN_TOPIC_OR_PARTITION')
  const w1 = await produceTxn(c, 'tx', 't1', { pid, epoch: 0, seq: 0, txn: true, vals: ['aborted-1', 'aborted-2'] })
  t.equal(w1.errorCode, 0)
  const p = b.running.broker.partition('tx', 0)!
  t.equal(p.lastStableOffset, 0n, 'the open transaction holds the LSO')
  const rc = await fetchOne(c, { topic: 'tx' }, { isolationLevel: 1 })
  t.equal(rc.batches.length, 0, 'read_committed sees nothing yet')
  t.equal(rc.partition.lastStableOffset, 0n)
  const ru = await fetchOne(c, { topic: 'tx' })
  t.same(values(ru.batches), ['aborted-1', 'aborted-2'], 'read_uncommitted sees the open transaction')
  const lo = await listOffsets(c, 'tx', [{ partitionIndex: 0, timestamp: -1n }], 9, 1)
  t.equal(lo[0].offset, 0n, 'ListOffsets latest under READ_COMMITTED is the LSO')
  const verify = await c.request(KEY.AddPartitionsToTxn, 4, { transactions: [{ transactionalId: 't1', producerId: pid, producerEpoch: 0, verifyOnly: true, topics: [{ name: 'tx', partitions: [0] }, { name: '__consumer_offsets', partitions: [0] }] }] })
  t.same(verify.resultsByTransaction[0].topicResults.map((x: any) => x.resultsByPartition[0].partitionErrorCode), [55, 3], 'a partition that does not exist')
  await createTopic(c, { name: 'other', numPartitions: 1 })
  const verify2 = await c.request(KEY.AddPartitionsToTxn, 4, { transactions: [{ transactionalId: 't1', producerId: pid, producerEpoch: 0, verifyOnly: true, topics: [{ name: 'tx', partitions: [0] }, { name: 'other', partitions: [0] }] }] })
  t.same(verify2.resultsByTransaction[0].topicResults.map((x: any) => x.resultsByPartition[0].partitionErrorCode), [0, 48], 'verify-only: in the transaction or INVALID_TXN_STATE')
  const desc = await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t1', 'ghost'] })
  t.equal(desc.transactionStates[0].transactionState, 'Ongoing')
  t.same(desc.transactionStates[0].topics, [{ topic: 'tx', partitions: [0] }])
  t.equal(desc.transactionStates[1].errorCode, 105)
  const list = await c.request(KEY.ListTransactions, 1, { stateFilters: ['Ongoing', 'Bogus'], producerIdFilters: [], durationFilter: -1n })
  t.same(list.transactionStates.map((x: any) => x.transactionalId), ['t1'])
  t.same(list.unknownStateFilters, ['Bogus'])

  const abort = await c.request(KEY.EndTxn, 3, { transactionalId: 't1', producerId: pid, producerEpoch: 0, committed: false })
  t.equal(abort.errorCode, 0)
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t1'] })).transactionStates[0].transactionState === 'CompleteAbort')
  t.equal(p.lastStableOffset, 3n, 'the marker ends the transaction')
  const afterAbort = await fetchOne(c, { topic: 'tx' }, { isolationLevel: 1 })
  t.same(afterAbort.partition.abortedTransactions, [{ producerId: pid, firstOffset: 0n }], 'the aborted transaction is reported')
  t.ok(afterAbort.batches.at(-1)!.isControl, 'and its marker is served')

  const add2 = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't1', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }] })
  t.equal(add2.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 0)
  const w2 = await produceTxn(c, 'tx', 't1', { pid, epoch: 0, seq: 2, txn: true, vals: ['committed'] })
  t.equal(w2.errorCode, 0)
  t.equal((await c.request(KEY.EndTxn, 3, { transactionalId: 't1', producerId: pid, producerEpoch: 0, committed: true })).errorCode, 0)
  const retry = await c.request(KEY.EndTxn, 3, { transactionalId: 't1', producerId: pid, producerEpoch: 0, committed: true })
  t.ok(retry.errorCode === 0 || retry.errorCode === 51, 'a retried commit is NONE or CONCURRENT_TRANSACTIONS while completing')
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t1'] })).transactionStates[0].transactionState === 'CompleteCommit')
  const wrong = await c.request(KEY.EndTxn, 3, { transactionalId: 't1', producerId: pid, producerEpoch: 0, committed: false })
  t.equal(wrong.errorCode, 48, 'abort after commit is INVALID_TXN_STATE')
  const fin = await fetchOne(c, { topic: 'tx' }, { isolationLevel: 1 })
  t.equal(fin.partition.lastStableOffset, 5n)

  // Fencing: a second InitProducerId bumps the epoch; the old epoch is refused everywhere.
  const re = await c.request(KEY.InitProducerId, 4, { transactionalId: 't1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(re.producerEpoch, 1)
  const fenced = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't1', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }] })
  t.equal(fenced.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 90, 'PRODUCER_FENCED')

  // Ongoing transaction + broker restart: the open transaction survives, and re-init aborts it.
  await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't1', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 1, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }] })
  t.equal((await produceTxn(c, 'tx', 't1', { pid, epoch: 1, seq: 0, txn: true, vals: ['in-flight'] })).errorCode, 0)
  const dir = b.dir
  await b.stop()
  const b2 = await startTestBroker(t, { dir, config: { 'transaction.state.log.num.partitions': '3', 'offsets.topic.num.partitions': '3' } })
  const c2 = await b2.client()
  await b2.running.broker.transactions.whenLoaded()
  const p2 = b2.running.broker.partition('tx', 0)!
  t.equal(p2.lastStableOffset, 5n, 'the open transaction is rebuilt from the log')
  const fence = await c2.request(KEY.InitProducerId, 4, { transactionalId: 't1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(fence.errorCode, 51, 'CONCURRENT_TRANSACTIONS while the fenced transaction aborts')
  await until(async () => (await c2.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t1'] })).transactionStates[0].transactionState === 'CompleteAbort')
  const again = await c2.request(KEY.InitProducerId, 4, { transactionalId: 't1', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(again.errorCode, 0)
  t.equal(again.producerEpoch, 3, 'bumped for the fence and again for the new producer')
  t.equal((await produceTxn(c2, 'tx', 't1', { pid, epoch: 1, seq: 1, txn: true, vals: ['zombie'] })).errorCode, 47, 'zombie write refused')
  const all = await fetchOne(c2, { topic: 'tx' }, { isolationLevel: 1 })
  t.same(all.partition.abortedTransactions.map((a: any) => a.firstOffset), [0n, 5n])
  const committed = readCommittedView(all.batches, all.partition.abortedTransactions)
  t.same(values(committed), ['committed'], 'read_committed: only the committed record survives aborted filtering')
})

t.test('transaction timeout aborts and fences; transactional offsets visible on commit only', async t => {
  const b = await startTestBroker(t, { config: { 'transaction.state.log.num.partitions': '1', 'offsets.topic.num.partitions': '1', 'transaction.abort.timed.out.transaction.cleanup.interval.ms': '100' } })
  const c = await b.client()
  await createTopic(c, { name: 'tt', numPartitions: 1 })
  await c.request(KEY.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['t2'] })
  await c.request(KEY.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g'] })
  const init = await c.request(KEY.InitProducerId, 4, { transactionalId: 't2', transactionTimeoutMs: 200, producerId: -1n, producerEpoch: -1 })
  const pid = init.producerId
  await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't2', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [{ name: 'tt', partitions: [0] }] })
  const noOffsets = await c.request(KEY.TxnOffsetCommit, 3, { transactionalId: 't2', groupId: 'g', producerId: pid, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'tt', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
  t.equal(noOffsets.topics[0].partitions[0].errorCode, 48, 'TxnOffsetCommit before AddOffsetsToTxn')
  t.equal((await c.request(KEY.AddOffsetsToTxn, 3, { transactionalId: 't2', producerId: pid, producerEpoch: 0, groupId: 'g' })).errorCode, 0)
  const toc = await c.request(KEY.TxnOffsetCommit, 3, { transactionalId: 't2', groupId: 'g', producerId: pid, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'tt', partitions: [{ partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
  t.equal(toc.topics[0].partitions[0].errorCode, 0)
  const stable = await c.request(KEY.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'tt', partitionIndexes: [0] }], requireStable: true })
  t.equal(stable.topics[0].partitions[0].errorCode, 88, 'UNSTABLE_OFFSET_COMMIT while pending')
  const loose = await c.request(KEY.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'tt', partitionIndexes: [0] }], requireStable: false })
  t.equal(loose.topics[0].partitions[0].committedOffset, -1n, 'not visible before commit')
  // The producer vanishes: the timeout aborts the transaction and fences the epoch.
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t2'] })).transactionStates[0].transactionState === 'CompleteAbort')
  const d = (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t2'] })).transactionStates[0]
  t.equal(d.producerEpoch, 1, 'epoch bumped by the timeout abort')
  const late = await c.request(KEY.EndTxn, 3, { transactionalId: 't2', producerId: pid, producerEpoch: 0, committed: true })
  t.equal(late.errorCode, 90, 'the vanished producer is fenced')
  const after = await c.request(KEY.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'tt', partitionIndexes: [0] }], requireStable: true })
  t.equal(after.topics[0].partitions[0].committedOffset, -1n, 'aborted offsets never appear')
  t.equal(after.topics[0].partitions[0].errorCode, 0)

  // A committed transactional offset commit becomes visible.
  const init2 = await c.request(KEY.InitProducerId, 4, { transactionalId: 't2', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  t.equal(init2.errorCode, 0)
  t.equal((await c.request(KEY.AddOffsetsToTxn, 3, { transactionalId: 't2', producerId: pid, producerEpoch: init2.producerEpoch, groupId: 'g' })).errorCode, 0)
  await c.request(KEY.TxnOffsetCommit, 3, { transactionalId: 't2', groupId: 'g', producerId: pid, producerEpoch: init2.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'tt', partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: 'm' }] }] })
  t.equal((await c.request(KEY.EndTxn, 3, { transactionalId: 't2', producerId: pid, producerEpoch: init2.producerEpoch, committed: true })).errorCode, 0)
  await until(async () => (await c.request(KEY.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'tt', partitionIndexes: [0] }], requireStable: true })).topics[0].partitions[0].committedOffset === 7n)
  t.pass('committed transactional offset visible')
  const dir = b.dir
  await b.stop()
  const b2 = await startTestBroker(t, { dir, config: { 'transaction.state.log.num.partitions': '1', 'offsets.topic.num.partitions': '1' } })
  const c2 = await b2.client()
  await b2.running.broker.groups.whenLoaded()
  const reloaded = await c2.request(KEY.OffsetFetch, 7, { groupId: 'g', topics: [{ name: 'tt', partitionIndexes: [0] }], requireStable: true })
  t.equal(reloaded.topics[0].partitions[0].committedOffset, 7n, 'the committed one reloads; the aborted one stays hidden')
})

async function produceAt (c: RawClient, version: number, topic: string, transactionalId: string, opts: { pid: bigint, epoch: number, seq: number, vals: string[], partition?: number }): Promise<any> {
  const records = await batch(textRecords(opts.vals), { producerId: opts.pid, producerEpoch: opts.epoch, baseSequence: opts.seq, isTransactional: true })
  const body = { ...produceBody([{ topic, partition: opts.partition ?? 0, records }]), transactionalId }
  const res = await c.request(API.Produce, version, body)
  return res.responses[0].partitionResponses[0]
}

t.test('transactions v2: implicit add on Produce v12, epoch bump per EndTxn v5, late writes fenced, TxnOffsetCommit v5', async t => {
  const b = await startTestBroker(t, { config: { 'transaction.state.log.num.partitions': '1', 'offsets.topic.num.partitions': '1' } })
  const c = await b.client()
  const av = await c.request(API.ApiVersions, 3, { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1' })
  t.same(av.supportedFeatures.find((f: any) => f.name === 'transaction.version'), { name: 'transaction.version', minVersion: 0, maxVersion: 2 })
  t.same(av.finalizedFeatures.find((f: any) => f.name === 'transaction.version'), { name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 })
  await createTopic(c, { name: 'v2', numPartitions: 2 })
  await c.request(KEY.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['t3'] })
  await c.request(KEY.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['g3'] })
  const init = await c.request(KEY.InitProducerId, 5, { transactionalId: 't3', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  const pid = init.producerId
  t.equal(init.producerEpoch, 0)
  const tv1 = await produceAt(c, 11, 'v2', 't3', { pid, epoch: 0, seq: 0, vals: ['v11'], partition: 1 })
  t.equal(tv1.errorCode, 48, 'Produce v11 still needs AddPartitionsToTxn (INVALID_TXN_STATE)')
  const w = await produceAt(c, 12, 'v2', 't3', { pid, epoch: 0, seq: 0, vals: ['c1', 'c2'] })
  t.equal(w.errorCode, 0, 'Produce v12 adds the partition itself')
  const d = (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0]
  t.equal(d.transactionState, 'Ongoing')
  t.same(d.topics, [{ topic: 'v2', partitions: [0] }])
  const toc = await c.request(KEY.TxnOffsetCommit, 5, { transactionalId: 't3', groupId: 'g3', producerId: pid, producerEpoch: 0, generationId: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'v2', partitions: [{ partitionIndex: 0, committedOffset: 11n, committedLeaderEpoch: -1, committedMetadata: '' }] }] })
  t.equal(toc.topics[0].partitions[0].errorCode, 0, 'TxnOffsetCommit v5 without AddOffsetsToTxn')
  const end = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 0, committed: true })
  t.equal(end.errorCode, 0)
  t.equal(end.producerId, pid)
  t.equal(end.producerEpoch, 1, 'EndTxn v5 answers the bumped epoch')
  const retry = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 0, committed: true })
  t.ok(retry.errorCode === 0 || retry.errorCode === 51, 'a retry (the epoch before the bump) is NONE or CONCURRENT_TRANSACTIONS')
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].transactionState === 'CompleteCommit')
  const retry2 = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 0, committed: true })
  t.same([retry2.errorCode, retry2.producerEpoch], [0, 1], 'a retry after completion answers the current epoch')
  await until(async () => (await c.request(KEY.OffsetFetch, 7, { groupId: 'g3', topics: [{ name: 'v2', partitionIndexes: [0] }], requireStable: true })).topics[0].partitions[0].committedOffset === 11n)
  // A write of the finished transaction arriving late: fenced by the bumped epoch, not added to a new one.
  const late = await produceAt(c, 12, 'v2', 't3', { pid, epoch: 0, seq: 2, vals: ['late'], partition: 1 })
  t.equal(late.errorCode, 47, 'late write from the completed transaction: INVALID_PRODUCER_EPOCH')
  t.equal((await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].transactionState, 'CompleteCommit', 'and no transaction was started by it')
  const lateSame = await produceAt(c, 11, 'v2', 't3', { pid, epoch: 0, seq: 2, vals: ['late'] })
  t.equal(lateSame.errorCode, 47, 'also on the partition that has the marker')
  const marker = (await fetchOne(c, { topic: 'v2' })).batches.find((x: any) => x.isControl)
  t.equal(marker?.producerEpoch, 1, 'the marker carries the bumped epoch')

  // Next transaction at the new epoch, aborted.
  t.equal((await produceAt(c, 12, 'v2', 't3', { pid, epoch: 1, seq: 0, vals: ['a1'] })).errorCode, 0)
  const abort = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 1, committed: false })
  t.same([abort.errorCode, abort.producerEpoch], [0, 2])
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].transactionState === 'CompleteAbort')
  const commitAfterAbort = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 1, committed: true })
  t.equal(commitAfterAbort.errorCode, 48, 'commit retry of an aborted transaction is INVALID_TXN_STATE')
  // An abort with nothing added (the producer cannot know whether its Produce added anything) bumps too.
  const empty = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 2, committed: false })
  t.same([empty.errorCode, empty.producerEpoch], [0, 3], 'empty abort bumps the epoch')
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].transactionState === 'CompleteAbort')
  const emptyCommit = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 3, committed: true })
  t.equal(emptyCommit.errorCode, 48, 'commit with nothing in the transaction')
  const stale = await c.request(KEY.EndTxn, 5, { transactionalId: 't3', producerId: pid, producerEpoch: 1, committed: false })
  t.equal(stale.errorCode, 90, 'an epoch two behind is PRODUCER_FENCED')
  const all = await fetchOne(c, { topic: 'v2' }, { isolationLevel: 1 })
  t.same(values(readCommittedView(all.batches, all.partition.abortedTransactions)), ['c1', 'c2'], 'read_committed sees the committed transaction only')

  // A TV1 client on the same cluster keeps the classic rules: no bump, -1/-1 answered.
  const a1 = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: 't3', v3AndBelowProducerId: pid, v3AndBelowProducerEpoch: 3, v3AndBelowTopics: [{ name: 'v2', partitions: [1] }] })
  t.equal(a1.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode, 0)
  t.equal((await produceAt(c, 11, 'v2', 't3', { pid, epoch: 3, seq: 0, vals: ['tv1'], partition: 1 })).errorCode, 0)
  const e1 = await c.request(KEY.EndTxn, 4, { transactionalId: 't3', producerId: pid, producerEpoch: 3, committed: true })
  t.same([e1.errorCode, e1.producerId, e1.producerEpoch], [0, -1n, -1])
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].transactionState === 'CompleteCommit')
  t.equal((await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t3'] })).transactionStates[0].producerEpoch, 3, 'TV1 commit keeps the epoch')
})

t.test('transactions v2: an exhausted epoch moves the producer to a new id at EndTxn; the retry is recognised', async t => {
  const b = await startTestBroker(t, { config: { 'transaction.state.log.num.partitions': '1' } })
  const c = await b.client()
  await createTopic(c, { name: 'ov', numPartitions: 1 })
  await c.request(KEY.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['t4'] })
  const init = await c.request(KEY.InitProducerId, 5, { transactionalId: 't4', transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })
  const pid = init.producerId
  // Jump the coordinator's epoch to the last usable one rather than run 32766 transactions.
  b.running.broker.transactions.txns.get('t4')!.producerEpoch = 32766
  t.equal((await produceAt(c, 12, 'ov', 't4', { pid, epoch: 32766, seq: 0, vals: ['x'] })).errorCode, 0)
  const end = await c.request(KEY.EndTxn, 5, { transactionalId: 't4', producerId: pid, producerEpoch: 32766, committed: true })
  t.equal(end.errorCode, 0)
  t.not(end.producerId, pid, 'a new producer id')
  t.equal(end.producerEpoch, 0, 'at epoch 0')
  await until(async () => (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t4'] })).transactionStates[0].transactionState === 'CompleteCommit')
  const d = (await c.request(KEY.DescribeTransactions, 0, { transactionalIds: ['t4'] })).transactionStates[0]
  t.same([d.producerId, d.producerEpoch], [end.producerId, 0], 'the completed transaction hands over to the new id')
  const retry = await c.request(KEY.EndTxn, 5, { transactionalId: 't4', producerId: pid, producerEpoch: 32766, committed: true })
  t.same([retry.errorCode, retry.producerId, retry.producerEpoch], [0, end.producerId, 0], 'a retry with the old id is answered with the new one')
  const marker = (await fetchOne(c, { topic: 'ov' })).batches.find((x: any) => x.isControl)
  t.same([marker?.producerId, marker?.producerEpoch], [pid, 32767], 'the marker closes the old id at the reserved epoch')
  t.equal((await produceAt(c, 12, 'ov', 't4', { pid: end.producerId, epoch: 0, seq: 0, vals: ['y'] })).errorCode, 0, 'the new id starts the next transaction')
})
