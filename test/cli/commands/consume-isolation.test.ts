// samsa consume --isolation-level against transactions written by a real transactional producer (kafkajs).
import t from 'tap'
import { Kafka, logLevel } from 'kafkajs'
import { startTestBroker } from '../../helpers/broker.js'
import { samsa } from './run.js'

t.test('read_committed prints committed transactions only and stops at the last stable offset', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'tx', '-p', '2'])).code, 0)
  const kafka = new Kafka({ clientId: 'tx-test', brokers: [`127.0.0.1:${b.port}`], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } })
  const producer = kafka.producer({ transactionalId: 'tx-cli', idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  t.teardown(async () => { await producer.disconnect().catch(() => {}) })
  t.equal((await samsa(b.port, ['produce', 'tx', '-p', '0'], { stdin: 'plain-before\n' })).code, 0)
  const committed = await producer.transaction()
  await committed.send({ topic: 'tx', messages: [0, 1, 2, 3].map(i => ({ value: `committed-${i}`, partition: i % 2 })) })
  await committed.commit()
  const aborted = await producer.transaction()
  await aborted.send({ topic: 'tx', messages: [0, 1, 2, 3].map(i => ({ value: `aborted-${i}`, partition: i % 2 })) })
  await aborted.abort()
  t.equal((await samsa(b.port, ['produce', 'tx', '-p', '1'], { stdin: 'plain-between\n' })).code, 0)
  // Still open: a read_committed reader stops before it, and before anything after it on that partition.
  const open = await producer.transaction()
  await open.send({ topic: 'tx', messages: [{ value: 'open-0', partition: 0 }] })
  t.equal((await samsa(b.port, ['produce', 'tx', '-p', '0'], { stdin: 'plain-after-open\n' })).code, 0)

  const rc = await samsa(b.port, ['consume', 'tx', '-e', '--isolation-level', 'read_committed', '-f', '%p %v\\n'])
  t.equal(rc.code, 0, rc.stderr)
  t.same(rc.stdout.trim().split('\n').sort(), ['0 committed-0', '0 committed-2', '0 plain-before', '1 committed-1', '1 committed-3', '1 plain-between'])

  const ru = await samsa(b.port, ['consume', 'tx', '-e', '-f', '%p %v\\n'])
  t.equal(ru.code, 0, ru.stderr)
  t.same(ru.stdout.trim().split('\n').sort(), ['0 aborted-0', '0 aborted-2', '0 committed-0', '0 committed-2', '0 open-0', '0 plain-after-open', '0 plain-before', '1 aborted-1', '1 aborted-3', '1 committed-1', '1 committed-3', '1 plain-between'])
  const explicit = await samsa(b.port, ['consume', 'tx', '-e', '--isolation-level', 'read_uncommitted', '-f', '%p %v\\n'])
  t.same(explicit.stdout.trim().split('\n').sort(), ru.stdout.trim().split('\n').sort(), 'read_uncommitted is the default')
  // Control batches take offsets but are never printed.
  t.notMatch(ru.stdout, /^\d+ $/m)

  // Once the open transaction aborts, what followed it becomes readable; the aborted record never is.
  await open.abort()
  const after = await samsa(b.port, ['consume', 'tx', '-e', '-p', '0', '--isolation-level', 'read_committed', '-f', '%o %v\\n'])
  t.equal(after.code, 0, after.stderr)
  const vals = after.stdout.trim().split('\n').map(l => l.split(' ')[1])
  t.same(vals, ['plain-before', 'committed-0', 'committed-2', 'plain-after-open'])
  // -o end under read_committed starts at the last stable offset: nothing left to print.
  const end = await samsa(b.port, ['consume', 'tx', '-e', '-o', 'end', '--isolation-level', 'read_committed'])
  t.equal(end.stdout, '')
})

t.test('isolation level usage errors', async t => {
  const b = await startTestBroker(t)
  const bad = await samsa(b.port, ['consume', 'x', '--isolation-level', 'serializable'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /--isolation-level must be read_uncommitted or read_committed/)
  const noGroup = await samsa(b.port, ['consume', 'x', '--group-protocol', 'consumer'])
  t.equal(noGroup.code, 2)
  t.match(noGroup.stderr, /--group-protocol needs --group/)
  const badProto = await samsa(b.port, ['consume', 'x', '-g', 'g', '--group-protocol', 'eager'])
  t.equal(badProto.code, 2)
  const emptyTopic = await samsa(b.port, ['consume', 'a,,b'])
  t.equal(emptyTopic.code, 2)
})
