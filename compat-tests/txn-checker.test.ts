// A transactions checker in the spirit of Jepsen's Kafka analyses, against a real samsa process.
// Several transactional producers (half speaking transactions v2 — Produce v12 implicit adds, EndTxn v5
// epoch bumps — half the classic v1 protocol) write unique values to random partitions and commit or
// abort at random; TV2 producers also replay a write of the transaction they just finished (a late,
// reordered write) which must be fenced. A read_committed consumer polls all the while, filtering
// aborted transactions as Kafka's consumers do. Checked on the history: no aborted or unknown read, no
// committed write lost, no duplicate, each producer's values in write order within a partition, offsets
// increasing, and every late write refused.
import t from 'tap'
import { startBroker } from './harness.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { API, batch, createTopic, fetch, produceBody, textRecords } from '../test/helpers/kafka.js'
import { decodeBatches } from '../src/wire/records.js'

const KEY = { FindCoordinator: 10, InitProducerId: 22, AddPartitionsToTxn: 24, EndTxn: 26 }
const PRODUCERS = Number(process.env.TXN_CHECKER_PRODUCERS ?? 6)
const TXNS = Number(process.env.TXN_CHECKER_TXNS ?? 25)
const PARTITIONS = 3
const TOPIC = 'checked'
const RETRIABLE = new Set([7, 14, 15, 16, 19, 51]) // REQUEST_TIMED_OUT, COORDINATOR_*, NOT_ENOUGH_REPLICAS, CONCURRENT_TRANSACTIONS

const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function retrying<T> (what: string, attempt: () => Promise<{ code: number, value: T }>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const r = await attempt()
    if (r.code === 0) return r.value
    if (!RETRIABLE.has(r.code)) throw new Error(`${what}: error ${r.code}`)
    await sleep(5)
  }
  throw new Error(`${what}: still retrying`)
}

interface History {
  committed: Map<string, { partition: number, producer: number, index: number }>
  aborted: Set<string>
  commits: number
  aborts: number
  lateRefused: number
  lateAccepted: string[]
}

/** One producer: `tv2` picks the protocol. Values are p<id>-<txn>-<k>; `index` orders one producer's writes. */
async function runProducer (port: number, id: number, tv2: boolean, h: History, rand: () => number): Promise<void> {
  const c = await RawClient.connect(port)
  const transactionalId = `checker-${id}`
  try {
    await retrying('FindCoordinator', async () => {
      const r = await c.request(KEY.FindCoordinator, 4, { keyType: 1, coordinatorKeys: [transactionalId] })
      return { code: r.coordinators[0].errorCode, value: null }
    })
    let { producerId, producerEpoch } = await retrying('InitProducerId', async () => {
      const r = await c.request(KEY.InitProducerId, tv2 ? 5 : 4, { transactionalId, transactionTimeoutMs: 30_000, producerId: -1n, producerEpoch: -1 })
      return { code: r.errorCode, value: { producerId: r.producerId as bigint, producerEpoch: r.producerEpoch as number } }
    })
    const seq = new Map<number, number>()
    let index = 0
    for (let n = 0; n < TXNS; n++) {
      const parts = [...new Set(Array.from({ length: 1 + Math.floor(rand() * PARTITIONS) }, () => Math.floor(rand() * PARTITIONS)))]
      if (!tv2) {
        await retrying('AddPartitionsToTxn', async () => {
          const r = await c.request(KEY.AddPartitionsToTxn, 3, { v3AndBelowTransactionalId: transactionalId, v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: TOPIC, partitions: parts }] })
          return { code: Math.max(...r.resultsByTopicV3AndBelow[0].resultsByPartition.map((p: any) => p.partitionErrorCode)), value: null }
        })
      }
      const written: { partition: number, value: string }[] = []
      let lastWrite: { partition: number, records: Buffer, epoch: number } | undefined
      for (const partition of parts) {
        for (let b = 0; b < 1 + Math.floor(rand() * 2); b++) {
          const vals = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, k) => `p${id}-${n}-${partition}.${b}.${k}`)
          const base = seq.get(partition) ?? 0
          const records = await batch(textRecords(vals), { producerId, producerEpoch, baseSequence: base, isTransactional: true })
          await retrying('Produce', async () => {
            const r = await c.request(API.Produce, tv2 ? 12 : 9, { ...produceBody([{ topic: TOPIC, partition, records }]), transactionalId })
            return { code: r.responses[0].partitionResponses[0].errorCode, value: null }
          })
          seq.set(partition, base + vals.length)
          for (const value of vals) written.push({ partition, value })
          lastWrite = { partition, records, epoch: producerEpoch }
        }
      }
      const commit = rand() < 0.65
      const ended = await retrying('EndTxn', async () => {
        const r = await c.request(KEY.EndTxn, tv2 ? 5 : 3, { transactionalId, producerId, producerEpoch, committed: commit })
        return { code: r.errorCode, value: { producerId: r.producerId as bigint, producerEpoch: r.producerEpoch as number } }
      })
      for (const w of written) {
        if (commit) h.committed.set(w.value, { partition: w.partition, producer: id, index: index++ })
        else h.aborted.add(w.value)
      }
      if (commit) h.commits++
      else h.aborts++
      if (tv2) {
        producerId = ended.producerId
        producerEpoch = ended.producerEpoch
        seq.clear()
        // The finished transaction's write arrives again, late: the epoch bump must fence it.
        if (lastWrite !== undefined && rand() < 0.5) {
          const r = await c.request(API.Produce, 12, { ...produceBody([{ topic: TOPIC, partition: lastWrite.partition, records: lastWrite.records }]), transactionalId })
          const code = r.responses[0].partitionResponses[0].errorCode
          if (code === 47 || code === 90) h.lateRefused++
          else h.lateAccepted.push(`producer ${id} txn ${n}: error ${code}`)
        }
      }
    }
  } finally {
    await c.close()
  }
}

interface Read { value: string, offset: bigint }

/** A read_committed consumer of one partition: Kafka's client-side filtering of aborted transactions. */
class CommittedReader {
  offset = 0n
  readonly reads: Read[] = []
  private readonly aborted = new Set<bigint>()
  constructor (readonly partition: number) {}

  /** Polls once; resolves to the partition's high watermark and last stable offset. */
  async poll (c: RawClient): Promise<{ hw: bigint, lso: bigint }> {
    const res = await fetch(c, [{ topic: TOPIC, partition: this.partition, offset: this.offset }], { isolationLevel: 1, maxWaitMs: 20 })
    const p = res.responses[0].partitions[0]
    if (p.errorCode !== 0) throw new Error(`fetch partition ${this.partition}: error ${p.errorCode}`)
    const pending = [...(p.abortedTransactions ?? [])].sort((a: any, b: any) => (a.firstOffset < b.firstOffset ? -1 : 1))
    const batches = p.records === null ? [] : await decodeBatches(p.records)
    for (const b of batches) {
      const last = b.baseOffset + BigInt(b.lastOffsetDelta)
      if (last < this.offset) continue
      while (pending.length > 0 && pending[0].firstOffset <= last) this.aborted.add(pending.shift().producerId)
      if (b.isControl) {
        this.aborted.delete(b.producerId)
      } else if (!(b.isTransactional && this.aborted.has(b.producerId))) {
        for (const r of b.records) if (r.offset >= this.offset) this.reads.push({ value: r.value!.toString(), offset: r.offset })
      }
      this.offset = last + 1n
    }
    return { hw: p.highWatermark, lso: p.lastStableOffset }
  }
}

t.test('transactions checker: concurrent TV1 and TV2 producers, random commit/abort, read_committed readers', async t => {
  const started = Date.now()
  const broker = await startBroker(t, { args: ['-o', `transaction.state.log.num.partitions=3`] })
  const admin = await RawClient.connect(broker.port)
  await createTopic(admin, { name: TOPIC, numPartitions: PARTITIONS })
  const h: History = { committed: new Map(), aborted: new Set(), commits: 0, aborts: 0, lateRefused: 0, lateAccepted: [] }
  let seed = 42
  const rand = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff }
  const readers = Array.from({ length: PARTITIONS }, (_, p) => new CommittedReader(p))
  let producing = true
  let polls = 0
  const reading = (async () => {
    const c = await RawClient.connect(broker.port)
    try {
      for (;;) {
        let caughtUp = true
        for (const r of readers) {
          const { hw, lso } = await r.poll(c)
          polls++
          if (r.offset < hw || lso < hw) caughtUp = false
        }
        if (!producing && caughtUp) return
        await sleep(10)
      }
    } finally {
      await c.close()
    }
  })()
  await Promise.all(Array.from({ length: PRODUCERS }, (_, i) => runProducer(broker.port, i, i % 2 === 0, h, rand)))
  producing = false
  const deadline = sleep(15_000).then(() => { throw new Error('readers did not catch up') })
  await Promise.race([reading, deadline.catch(e => { throw e })])
  await admin.close()

  const reads = readers.flatMap(r => r.reads.map(x => ({ ...x, partition: r.partition })))
  const counts = new Map<string, number>()
  for (const r of reads) counts.set(r.value, (counts.get(r.value) ?? 0) + 1)
  const abortedReads = reads.filter(r => h.aborted.has(r.value)).map(r => r.value)
  const unknown = reads.filter(r => !h.aborted.has(r.value) && !h.committed.has(r.value)).map(r => r.value)
  const duplicates = [...counts].filter(([, n]) => n > 1).map(([v]) => v)
  const lost = [...h.committed.keys()].filter(v => !counts.has(v))
  const wrongPartition = reads.filter(r => h.committed.has(r.value) && h.committed.get(r.value)!.partition !== r.partition).map(r => r.value)
  const disordered: string[] = []
  for (const r of readers) {
    const lastIndex = new Map<number, number>()
    let lastOffset = -1n
    for (const x of r.reads) {
      if (x.offset <= lastOffset) disordered.push(`${x.value}: offset ${x.offset} after ${lastOffset}`)
      lastOffset = x.offset
      const w = h.committed.get(x.value)
      if (w === undefined) continue
      if ((lastIndex.get(w.producer) ?? -1) > w.index) disordered.push(`${x.value} read after a later write of producer ${w.producer}`)
      lastIndex.set(w.producer, w.index)
    }
  }
  const summary = `${PRODUCERS} producers (${Math.ceil(PRODUCERS / 2)} TV2, ${Math.floor(PRODUCERS / 2)} TV1), ${h.commits} transactions committed, ${h.aborts} aborted; ` +
    `${h.committed.size} committed and ${h.aborted.size} aborted values written; ${reads.length} records read over ${polls} read_committed polls; ` +
    `${h.lateRefused} late writes fenced; ${((Date.now() - started) / 1000).toFixed(1)} s`
  t.comment(summary)
  console.log(`txn-checker: ${summary}`)
  t.ok(h.commits > 0 && h.aborts > 0, 'both outcomes exercised')
  t.same(abortedReads, [], 'no aborted read')
  t.same(unknown, [], 'no read of a value never written')
  t.same(lost, [], 'no committed write lost')
  t.same(duplicates, [], 'no duplicate')
  t.same(wrongPartition, [], 'every value in the partition it was written to')
  t.same(disordered, [], 'offsets increase and each producer\'s values are in write order per partition')
  t.same(h.lateAccepted, [], 'every late write of a finished TV2 transaction refused')
  t.ok(h.lateRefused > 0, 'late writes were attempted')
})
