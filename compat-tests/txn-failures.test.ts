// Exactly-once under failures, against a real samsa process: a broker SIGKILLed with one transaction
// committed and another open (after the restart the first is whole and the second never visible to
// read_committed), a producer that vanishes mid-transaction (aborted after transaction.timeout.ms), a
// second producer with the same transactional.id fencing the first (kafkajs), and an idempotent
// librdkafka producer through broker restarts (no duplicates, nothing delivered lost).
import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kafka } from 'kafkajs'
import { spawnBroker, startBroker } from './harness.js'
import { makeKafka } from './kafkajs-client.js'
import { havePythonModule } from './tools.js'
import { uniqueTopic } from './records.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { readCommitted } from './txn-consumer.js'

const brokerArgs = ['-o', 'group.min.session.timeout.ms=1000', '-o', 'group.initial.rebalance.delay.ms=100', '-o', 'transaction.abort.timed.out.transaction.cleanup.interval.ms=300']

async function createTopic (kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions }] })
  await admin.disconnect()
}

async function describeTxn (port: number, transactionalId: string): Promise<{ transactionState: string, producerEpoch: number }> {
  const c = await RawClient.connect(port)
  try {
    const r = await c.request(65, 0, { transactionalIds: [transactionalId] })
    return r.transactionStates[0]
  } finally {
    await c.close()
  }
}

const vals = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`)

t.test('broker SIGKILLed with a committed and an open transaction: all or nothing after restart', async t => {
  const dataDir = await mkdtemp(join(tmpdir(), 'samsa-txn-kill-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const first = await spawnBroker({ dataDir, args: brokerArgs })
  const kafka = makeKafka(first.bootstrap, { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 300 } })
  const topic = uniqueTopic('txn-kill')
  await createTopic(kafka, topic, 2)
  const open = kafka.producer({ transactionalId: `open-${topic}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 2000 })
  const done = kafka.producer({ transactionalId: `done-${topic}`, idempotent: true, maxInFlightRequests: 1 })
  await open.connect()
  await done.connect()
  const base = await done.transaction()
  await base.send({ topic, messages: vals('base', 6).map((value, i) => ({ value, partition: i % 2 })) })
  await base.commit()
  const o = await open.transaction()
  await o.send({ topic, messages: vals('open', 6).map((value, i) => ({ value, partition: i % 2 })) })
  const d = await done.transaction()
  await d.send({ topic, messages: vals('done', 6).map((value, i) => ({ value, partition: i % 2 })) })
  await d.commit()
  // Killed right after the commit was answered: its markers may or may not be on disk yet.
  process.kill(first.pid, 'SIGKILL')
  await first.stop().catch(() => {})
  await Promise.allSettled([open.disconnect(), done.disconnect()])

  const second = await spawnBroker({ dataDir, args: brokerArgs })
  t.teardown(() => second.stop())
  const kafka2 = makeKafka(second.bootstrap)
  const expected = [...vals('base', 6), ...vals('done', 6)]
  const seen = await readCommitted(kafka2, topic, s => s.length >= expected.length)
  t.same([...seen].sort(), [...expected].sort(), 'the committed transactions whole, the open one absent')
  const state = await describeTxn(second.port, `open-${topic}`)
  t.equal(state.transactionState, 'CompleteAbort', 'the open transaction was aborted after its timeout')
})

t.test('a producer that vanishes mid-transaction is aborted after transaction.timeout.ms', async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('txn-vanish')
  await createTopic(kafka, topic, 1)
  const ghost = kafka.producer({ transactionalId: `ghost-${topic}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 1500 })
  await ghost.connect()
  const g = await ghost.transaction()
  await g.send({ topic, messages: vals('ghost', 5).map(value => ({ value })) })
  // The ghost never ends its transaction; a later committed one on the same partition waits behind it.
  const live = kafka.producer({ transactionalId: `live-${topic}`, idempotent: true, maxInFlightRequests: 1 })
  await live.connect()
  const l = await live.transaction()
  await l.send({ topic, messages: vals('live', 5).map(value => ({ value })) })
  await l.commit()
  const started = Date.now()
  const seen = await readCommitted(kafka, topic, s => s.length >= 5)
  t.same(seen, vals('live', 5), 'read_committed sees the live transaction only')
  t.ok(Date.now() - started >= 500, 'and only once the ghost was aborted (the LSO held until then)')
  const state = await describeTxn(broker.port, `ghost-${topic}`)
  t.equal(state.transactionState, 'CompleteAbort')
  t.equal(state.producerEpoch, 1, 'the ghost is fenced by the epoch bump')
  await t.rejects(g.commit(), 'the ghost cannot commit afterwards')
  await Promise.allSettled([ghost.disconnect(), live.disconnect()])
})

t.test('kafkajs: a second producer with the same transactional.id fences the first', async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap, { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 } })
  const topic = uniqueTopic('txn-fence')
  await createTopic(kafka, topic, 1)
  const transactionalId = `fence-${topic}`
  const p1 = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await p1.connect()
  const t1 = await p1.transaction()
  await t1.send({ topic, messages: [{ value: 'zombie' }] })
  const p2 = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await p2.connect()
  // kafkajs sends InitProducerId when the first transaction begins.
  const t2 = await p2.transaction()
  await t.rejects(t1.commit(), 'the fenced producer cannot commit')
  await t2.send({ topic, messages: [{ value: 'winner' }] })
  await t2.commit()
  const seen = await readCommitted(kafka, topic, s => s.length >= 1)
  t.same(seen, ['winner'], 'only the new producer\'s transaction is visible')
  await Promise.allSettled([p1.disconnect(), p2.disconnect()])
})

const skipPy = havePythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed for /usr/bin/python3'

t.test('librdkafka enable.idempotence=true through broker restarts: no duplicates, nothing delivered lost', { skip: skipPy }, async t => {
  const broker = await startBroker(t, { args: brokerArgs })
  const kafka = makeKafka(broker.bootstrap)
  const topic = uniqueTopic('rdk-idem')
  await createTopic(kafka, topic, 1)
  const N = 1500
  const out = new Promise<string>((resolve, reject) => {
    execFile('/usr/bin/python3', [join(import.meta.dirname, 'python', 'idempotent_confluent.py'), broker.bootstrap, topic, String(N)], { timeout: 90_000 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
  for (let r = 0; r < 2; r++) {
    await new Promise(resolve => setTimeout(resolve, 1200))
    await broker.restart()
  }
  const r = JSON.parse((await out).trim().split('\n').pop()!) as { delivered: string[], errors: string[], undelivered: number }
  t.comment(`${r.delivered.length} delivered, ${r.errors.length} delivery errors, ${r.undelivered} left`)
  t.ok(r.delivered.length > N / 2, 'most values were delivered')
  const seen = await readCommitted(makeKafka(broker.bootstrap), topic, s => s.length >= r.delivered.length)
  const counts = new Map<string, number>()
  for (const v of seen) counts.set(v, (counts.get(v) ?? 0) + 1)
  t.same([...counts].filter(([, n]) => n > 1), [], 'no value appears twice')
  t.same(r.delivered.filter(v => !counts.has(v)), [], 'every delivered value is there')
  const order = seen.map(v => Number(v.slice(1)))
  t.ok(order.every((x, i) => i === 0 || x > order[i - 1]!), 'in produce order')
})
