import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { KafkaClient } from '../../src/client/client.js'
import { Producer } from '../../src/client/producer.js'
import { createTopic } from '../../src/client/admin.js'
import { samsa } from '../cli/commands/run.js'

t.test('a fetch returning more records than a call may take arguments (zstd, 200k tiny records) is consumed whole', async t => {
  const b = await startTestBroker(t)
  const client = new KafkaClient({ brokers: [`127.0.0.1:${b.port}`] })
  t.teardown(() => client.close())
  await createTopic(client, { name: 'tiny', partitions: 1 })
  // One big zstd batch: 200k records that compress to a few KB, so one fetch returns all of them.
  const producer = new Producer(client, 'tiny', { compression: 'zstd', batchBytes: 64 << 20, lingerMs: 50 })
  const n = 200_000
  const sent = Array.from({ length: n }, () => producer.send({ key: null, value: Buffer.from('x'), partition: 0 }))
  await producer.flush()
  await Promise.all(sent)
  const out = await samsa(b.port, ['consume', 'tiny', '-e', '-f', '%o\\n'])
  t.equal(out.code, 0, out.stderr)
  const offsets = out.stdout.split('\n').filter(Boolean)
  t.equal(offsets.length, n)
  t.equal(offsets[n - 1], String(n - 1))
})
