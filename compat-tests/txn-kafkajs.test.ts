// kafkajs exactly-once against a real samsa: a transactional producer's commits and aborts read by a
// read_committed group consumer, consume-transform-produce with sendOffsets across a consumer that
// gives up mid-way, and an idempotent producer whose connections are cut by broker restarts.
// kafkajs speaks transactions v1 (AddPartitionsToTxn, EndTxn v1), so this also covers TV1 clients on a
// cluster that finalizes transaction.version 2.
import t from 'tap'
import type { Kafka, Consumer } from 'kafkajs'
import { startBroker } from './harness.js'
import { makeKafka } from './kafkajs-client.js'
import { uniqueTopic } from './records.js'
import { readCommitted } from './txn-consumer.js'

const brokerArgs = ['-o', 'group.min.session.timeout.ms=1000', '-o', 'group.initial.rebalance.delay.ms=100']

function consumerOf (kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
}

t.test('kafkajs transactional producer: read_committed sees exactly the committed records', async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('kjs-txn')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })
  await admin.disconnect()
  const producer = kafka.producer({ transactionalId: `kjs-${topic}`, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const committed: string[] = []
  for (let n = 0; n < 6; n++) {
    const txn = await producer.transaction()
    const vals = Array.from({ length: 5 }, (_, i) => `t${n}-${i}`)
    await txn.send({ topic, messages: vals.map((v, i) => ({ value: v, partition: i % 2 })) })
    if (n % 3 === 1) {
      await txn.abort()
    } else {
      await txn.commit()
      committed.push(...vals)
    }
  }
  await producer.disconnect()
  const seen = await readCommitted(kafka, topic, s => s.length >= committed.length)
  t.same([...seen].sort(), [...committed].sort(), 'exactly the committed records, each once, none of the aborted')
  t.equal(new Set(seen).size, seen.length, 'no duplicates')
})

t.test('kafkajs consume-transform-produce with sendOffsets is exactly-once across a consumer that gives up', async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap)
  const input = uniqueTopic('kjs-eos-in')
  const output = uniqueTopic('kjs-eos-out')
  const groupId = `eos-${input}`
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }] })
  const plain = kafka.producer()
  await plain.connect()
  const N = 60
  await plain.send({ topic: input, messages: Array.from({ length: N }, (_, i) => ({ value: `in-${i}` })) })
  await plain.disconnect()

  // Each run processes batches in transactions; the first run aborts every other transaction and stops
  // after a few, so the second run must take over from the last committed offset and redo the rest.
  const run = async (label: string, stopAfter: number, abortEvery: number): Promise<number> => {
    const producer = kafka.producer({ transactionalId: `eos-${input}`, idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const consumer = consumerOf(kafka, groupId)
    await consumer.connect()
    await consumer.subscribe({ topics: [input], fromBeginning: true })
    let txns = 0
    let done = false
    let next = 0
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        if (done || !isRunning()) return
        const msgs = batch.messages.slice(0, 7)
        if (msgs.length === 0) return
        const txn = await producer.transaction()
        await txn.send({ topic: output, messages: msgs.map(m => ({ value: `out-${m.value!.toString().slice(3)}` })) })
        const lastOffset = BigInt(msgs.at(-1)!.offset)
        await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: batch.partition, offset: (lastOffset + 1n).toString() }] }] })
        txns++
        if (abortEvery > 0 && txns % abortEvery === 0) {
          await txn.abort()
          done = true
        } else {
          await txn.commit()
          for (const m of msgs) resolveOffset(m.offset)
          next = Number(lastOffset + 1n)
        }
        await heartbeat()
        if (txns >= stopAfter || next >= N) done = true
      }
    })
    const end = Date.now() + 20_000
    while (!done && Date.now() < end) await new Promise(resolve => setTimeout(resolve, 50))
    await consumer.disconnect()
    await producer.disconnect()
    t.comment(`${label}: ${txns} transactions, input consumed up to ${next}`)
    return next
  }
  const firstStop = await run('first run', 3, 3)
  t.ok(firstStop > 0 && firstStop < N, 'the first run committed part of the input and aborted its last transaction')
  const offsets = await admin.fetchOffsets({ groupId, topics: [input] })
  t.equal(Number(offsets[0]!.partitions[0]!.offset), firstStop, 'the group offset is the last committed transaction\'s')
  const secondStop = await run('second run', 1000, 0)
  t.equal(secondStop, N, 'the second run finished the input')
  await admin.disconnect()
  const out = await readCommitted(kafka, output, s => s.length >= N)
  t.same(out, Array.from({ length: N }, (_, i) => `out-${i}`), 'every input transformed exactly once, in order')
})

t.test('kafkajs idempotent producer through broker restarts: no duplicates, nothing acknowledged lost', async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap, { retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 } })
  const topic = uniqueTopic('kjs-idem')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })
  await admin.disconnect()
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const acked: string[] = []
  let stop = false
  const writer = (async () => {
    for (let i = 0; !stop; i++) {
      const v = `i${i}`
      await producer.send({ topic, acks: -1, messages: [{ value: v, partition: 0 }] })
      acked.push(v)
    }
  })()
  for (let r = 0; r < 2; r++) {
    await new Promise(resolve => setTimeout(resolve, 400))
    await broker.restart()
  }
  await new Promise(resolve => setTimeout(resolve, 400))
  stop = true
  await writer
  await producer.disconnect()
  t.ok(acked.length > 10, `${acked.length} sends acknowledged across two restarts`)
  const seen = await readCommitted(kafka, topic, s => s.length >= acked.length)
  const counts = new Map<string, number>()
  for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1)
  t.same([...counts].filter(([, n]) => n > 1), [], 'no value appears twice')
  t.same(acked.filter(v => !counts.has(v)), [], 'every acknowledged value is there')
  t.same(seen, [...seen].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))), 'in send order')
})
