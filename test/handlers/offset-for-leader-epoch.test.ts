import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, produceValues } from '../helpers/kafka.js'

const OFLE = 23
const ask = async (c: any, partitions: { topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number }[], version = 4): Promise<any[]> => {
  const res = await c.request(OFLE, version, { replicaId: -1, topics: partitions.map(p => ({ topic: p.topic, partitions: [{ partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, leaderEpoch: p.leaderEpoch }] })) })
  return res.topics.map((x: any) => { const p = x.partitions[0]; return [p.errorCode, p.leaderEpoch, p.endOffset] })
}

t.test('end offsets from the partition\'s leader epoch cache, and leader epoch checks', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'e' })
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }]), [[0, 0, 0n]], 'the leader\'s epoch starts at the log end when it becomes leader')
  await produceValues(c, 'e', ['a', 'b', 'c'])
  for (let v = 2; v <= 4; v++) {
    t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }], v), [[0, 0, 3n]], `v${v}: the current epoch ends at the log end`)
  }
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }]), [[0, 0, 3n]], 'no current epoch given')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 5 }]), [[0, -1, -1n]], 'a newer epoch is unknown')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: -1 }]), [[0, -1, -1n]])
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 3, leaderEpoch: 0 }]), [[75, -1, -1n]], 'UNKNOWN_LEADER_EPOCH')

  // samsa never changes a leader epoch itself; a leader change is simulated on the partition.
  const p = b.running.broker.partition('e', 0)!
  p.leaderEpoch = 2
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }]), [[74, -1, -1n]], 'FENCED_LEADER_EPOCH')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 2, leaderEpoch: 0 }]), [[0, 0, 3n]], 'epoch 0 now ends where epoch 2 began')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 2, leaderEpoch: 1 }]), [[0, 0, 3n]], 'an epoch in a gap answers the largest epoch below it')
  await produceValues(c, 'e', ['d', 'e'])
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 2, leaderEpoch: 2 }]), [[0, 2, 5n]])
  p.leaderEpoch = 4
  await produceValues(c, 'e', ['f'])
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 4, leaderEpoch: 3 }]), [[0, 2, 5n]])
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: -1, leaderEpoch: 4 }]), [[0, 4, 6n]])
  t.equal(await readFile(join(p.log.dir, 'leader-epoch-checkpoint'), 'utf8'), '0\n3\n0 0\n2 3\n4 5\n', 'Kafka\'s checkpoint file in the partition directory')
  t.same(await ask(c, [{ topic: 'e', partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 }, { topic: 'nope', partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }]), [[3, -1, -1n], [3, -1, -1n]])
})

t.test('the history survives a restart', async t => {
  const first = await startTestBroker(t)
  const c = await first.client()
  await createTopic(c, { name: 'r', numPartitions: 2 })
  await produceValues(c, 'r', ['a', 'b'])
  await first.stop()
  const again = await startTestBroker(t, { dir: first.dir })
  const c2 = await again.client()
  t.same(await ask(c2, [{ topic: 'r', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, { topic: 'r', partition: 1, currentLeaderEpoch: 0, leaderEpoch: 0 }]), [[0, 0, 2n], [0, 0, 0n]])
})
