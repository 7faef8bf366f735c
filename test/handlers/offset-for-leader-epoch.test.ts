import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, produceValues } from '../helpers/kafka.js'

const OFLE = 23
const ask = async (c: any, partitions: { topic: string, partition: number, currentLeaderEpoch: number, leaderEpoch: number }[], version = 4): Promise<any[]> => {
  const res = await c.request(OFLE, version, { replicaId: -1, topics: partitions.map(p => ({ topic: p.topic, partitions: [{ partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, leaderEpoch: p.leaderEpoch }] })) })
  return res.topics.map((x: any) => { const p = x.partitions[0]; return [p.errorCode, p.leaderEpoch, p.endOffset] })
}

t.test('end offsets by Kafka\'s epoch cache rules and leader epoch checks', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'e' })
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }]), [[0, -1, -1n]], 'an empty log has no epoch yet')
  await produceValues(c, 'e', ['a', 'b', 'c'])
  for (let v = 2; v <= 4; v++) {
    t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }], v), [[0, 0, 3n]], `v${v}: the current epoch ends at the log end`)
  }
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }]), [[0, 0, 3n]], 'no current epoch given')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: 5 }]), [[0, -1, -1n]], 'a newer epoch is unknown')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 0, leaderEpoch: -1 }]), [[0, -1, -1n]])
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 3, leaderEpoch: 0 }]), [[75, -1, -1n]], 'UNKNOWN_LEADER_EPOCH')
  b.running.broker.partition('e', 0)!.leaderEpoch = 2
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }]), [[74, -1, -1n]], 'FENCED_LEADER_EPOCH')
  t.same(await ask(c, [{ topic: 'e', partition: 0, currentLeaderEpoch: 2, leaderEpoch: 1 }]), [[0, 1, 0n]], 'an older epoch than any known answers the first entry\'s start')
  t.same(await ask(c, [{ topic: 'e', partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 }, { topic: 'nope', partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }]), [[3, -1, -1n], [3, -1, -1n]])
})
