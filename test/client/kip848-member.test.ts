import t from 'tap'
import { fakeBroker, apiVersionsBody, type Seen } from './fake-broker.js'
import { KafkaClient, API, sleep } from '../../src/client/client.js'
import { ConsumerGroupMember, sameAssignment } from '../../src/client/kip848-member.js'
import { KafkaError } from '../../src/client/errors.js'

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ'

async function scripted (t: Parameters<typeof fakeBroker>[0], heartbeat: (req: Seen, n: number) => object): Promise<{ port: number, beats: Seen[] }> {
  let port = 0
  const beats: Seen[] = []
  const b = await fakeBroker(t, req => {
    if (req.apiKey === API.ApiVersions) return { body: apiVersionsBody([[18, 0, 4], [3, 12, 12], [10, 4, 6], [68, 0, 1]]) }
    if (req.apiKey === API.FindCoordinator) return { body: { coordinators: [{ key: req.body.coordinatorKeys[0], nodeId: 1, host: '127.0.0.1', port, errorCode: 0, errorMessage: null }] } }
    if (req.apiKey === API.Metadata) {
      return {
        body: {
          brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }],
          clusterId: 'fake',
          controllerId: 1,
          topics: [{ errorCode: 0, name: 'orders', topicId: TOPIC_ID, isInternal: false, partitions: [0, 1].map(p => ({ errorCode: 0, partitionIndex: p, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] })) }]
        }
      }
    }
    if (req.apiKey === API.ConsumerGroupHeartbeat) {
      beats.push(req)
      return { body: heartbeat(req, beats.length - 1) }
    }
    return null
  })
  port = b.port
  return { port, beats }
}

const ok = (epoch: number, partitions: number[] | null): object => ({ errorCode: 0, errorMessage: null, memberId: null, memberEpoch: epoch, heartbeatIntervalMs: 30, assignment: partitions === null ? null : { topicPartitions: [{ topicId: TOPIC_ID, partitions }] } })

t.test('join, acknowledge, fenced: partitions lost and a fresh join at epoch 0, then leave at -1', async t => {
  const { port, beats } = await scripted(t, (req, n) => {
    if (req.body.memberEpoch === -1) return ok(-1, null)
    if (n === 0) return ok(1, [0, 1])
    // Fenced right after acknowledging (heartbeats before it, owning nothing yet, are plain ones).
    if (req.body.memberEpoch === 1) return req.body.topicPartitions?.length > 0 ? { errorCode: 110, errorMessage: 'fenced', memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null } : ok(1, null)
    if (req.body.memberEpoch === 0) return ok(3, [1])
    return ok(3, null)
  })
  const client = new KafkaClient({ brokers: [`127.0.0.1:${port}`] })
  t.teardown(() => client.close())
  const m = new ConsumerGroupMember(client, 'g', ['orders'], { rebalanceTimeoutMs: 1000 })
  await m.join()
  const join = beats[0]!.body
  t.equal(join.memberEpoch, 0)
  t.equal(join.memberId, m.memberId)
  t.equal(join.memberId.length, 22, 'a client-generated uuid, as v1 requires')
  t.same(join.subscribedTopicNames, ['orders'])
  t.same(join.topicPartitions, [])
  t.equal(join.rebalanceTimeoutMs, 1000)
  t.equal(m.memberEpoch, 1)
  const first = await m.takeChange()
  t.same(first, { assignment: new Map([['orders', [0, 1]]]), lost: false }, 'topic ids resolved to names')
  t.equal(await m.takeChange(), null, 'taken once')
  await m.acknowledge(first!.assignment)
  const acked = (): number => beats.findIndex(b => b.body.topicPartitions?.length > 0)
  for (let i = 0; i < 200 && (acked() < 0 || beats.length <= acked() + 1); i++) await sleep(10)
  const ack = beats[acked()]!.body
  t.same(ack.topicPartitions, [{ topicId: TOPIC_ID, partitions: [0, 1] }], 'the acknowledgement reports what is owned')
  t.equal(ack.memberEpoch, 1)
  const rejoin = beats[acked() + 1]!.body
  t.equal(rejoin.memberEpoch, 0, 'rejoins at epoch 0 after FENCED_MEMBER_EPOCH')
  t.same(rejoin.topicPartitions, [])
  t.equal(rejoin.memberId, m.memberId, 'keeping its member id')
  const after = await m.takeChange()
  t.same(after, { assignment: new Map([['orders', [1]]]), lost: true })
  await m.acknowledge(after!.assignment)
  for (let i = 0; i < 100 && !beats.some(b => b.body.topicPartitions?.[0]?.partitions.length === 1); i++) await sleep(10)
  t.equal(m.memberEpoch, 3)
  // Steady state: owned unchanged, so it is not repeated.
  const n = beats.length
  for (let i = 0; i < 100 && beats.length < n + 2; i++) await sleep(10)
  t.equal(beats[beats.length - 1]!.body.topicPartitions, null)
  t.equal(beats[beats.length - 1]!.body.subscribedTopicNames, null)
  await m.leave()
  t.equal(beats[beats.length - 1]!.body.memberEpoch, -1)
  t.equal(m.heartbeatError, null)
})

t.test('a fatal heartbeat error is surfaced; the first one is thrown by join', async t => {
  const { port } = await scripted(t, () => ({ errorCode: 69, errorMessage: 'Group g is not a consumer group.', memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null }))
  const client = new KafkaClient({ brokers: [`127.0.0.1:${port}`] })
  t.teardown(() => client.close())
  const m = new ConsumerGroupMember(client, 'g', ['orders'])
  const err = await m.join().then(() => null, (e: unknown) => e)
  t.ok(err instanceof KafkaError)
  t.equal((err as KafkaError).errorName, 'GROUP_ID_NOT_FOUND')
  t.match((err as KafkaError).message, /not a consumer group/)
})

t.test('sameAssignment ignores order', async t => {
  t.ok(sameAssignment(new Map([['a', [1, 0]]]), new Map([['a', [0, 1]]])))
  t.notOk(sameAssignment(new Map([['a', [1]]]), new Map([['a', [0, 1]]])))
  t.notOk(sameAssignment(new Map([['a', [1]]]), new Map([['b', [1]]])))
})

t.test('a change the owner could not apply is handed out again; a loss survives a newer change', async t => {
  const client = new KafkaClient({ brokers: ['127.0.0.1:1'] })
  const m = new ConsumerGroupMember(client, 'g', ['orders'])
  t.equal(await m.takeChange(), null)
  const change = { assignment: new Map([['orders', [0]]]), lost: true }
  m.putBack(change)
  t.same(await m.takeChange(), change)
  t.equal(await m.takeChange(), null)
  t.equal(m.memberEpoch, 0)
  await m.commit(new Map([['orders', new Map([[0, 5n]])]]))
  t.pass('a member without an epoch commits nothing (and contacts no broker)')
})
