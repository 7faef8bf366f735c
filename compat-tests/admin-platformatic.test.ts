// Issue 6's admin APIs through @platformatic/kafka: its Admin client where it has a call (configs, log
// dirs) and its own per-version codecs over a Connection where it has only the codec (DescribeCluster,
// DescribeTopicPartitions, DescribeQuorum, UnregisterBroker, AlterReplicaLogDirs, reassignments,
// OffsetForLeaderEpoch). With kafka-ts (admin-kafka-ts.test.ts) this makes two independent client
// codecs for each of these APIs.
import t from 'tap'
import {
  Admin, Connection, Producer,
  describeClusterV1, describeTopicPartitionsV0, describeQuorumV2, unregisterBrokerV0, alterReplicaLogDirsV2,
  alterPartitionReassignmentsV0, listPartitionReassignmentsV0, offsetForLeaderEpochV4
} from '@platformatic/kafka'
import { startBroker, type Broker, type Teardownable } from './harness.js'
import { uniqueTopic } from './records.js'

const base = { clientId: 'samsa-platformatic-admin', timeout: 10_000, retries: 1, retryDelay: 100 }

async function connection (t: Teardownable, broker: Broker): Promise<Connection> {
  const conn = new Connection('samsa-platformatic-admin')
  await conn.connect(broker.host, broker.port)
  t.teardown(() => { conn.close() })
  return conn
}

/** platformatic rejects a response holding any error code; the decoded response rides on the error. */
async function answer<R> (p: Promise<R>): Promise<R> {
  return await p.catch((e: any) => {
    const r = e.response ?? e.errors?.[0]?.response
    if (r === undefined) throw e
    return r
  })
}

t.test('Admin: incrementalAlterConfigs and describeConfigs with synonyms, describeLogDirs with real sizes', async t => {
  const broker = await startBroker(t)
  const admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => admin.close())
  const topic = uniqueTopic('plt-configs')
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  await admin.incrementalAlterConfigs({
    resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.bytes', configOperation: 0, value: '1048576' }, { name: 'cleanup.policy', configOperation: 0, value: 'compact,delete' }] }]
  })
  await admin.incrementalAlterConfigs({
    resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 3, value: 'delete' }] }]
  })
  const rejected = await admin.incrementalAlterConfigs({
    resources: [{ resourceType: 2, resourceName: topic, configs: [{ name: 'retention.bytes', configOperation: 2, value: '5' }] }]
  }).then(() => null, (e: any) => e)
  t.ok(rejected !== null, 'APPEND on a non-list config is refused')
  t.match(JSON.stringify(rejected.response ?? rejected.errors?.[0]?.response ?? {}), /"errorCode":40/, 'with INVALID_CONFIG')

  const [d] = await admin.describeConfigs({ resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.bytes', 'cleanup.policy', 'segment.bytes'] }], includeSynonyms: true })
  const byName = new Map(d!.configs.map((c: any) => [c.name, c]))
  t.same([byName.get('retention.bytes')!.value, byName.get('retention.bytes')!.configSource], ['1048576', 1])
  t.same(byName.get('cleanup.policy')!.value, 'compact', 'SUBTRACT removed delete')
  const segment = byName.get('segment.bytes')!
  t.same([segment.value, segment.configSource, segment.synonyms.map((s: any) => [s.name, s.value, s.source])],
    ['1073741824', 5, [['log.segment.bytes', '1073741824', 5]]], 'a default topic config names its broker default')

  const producer = new Producer({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => producer.close())
  await producer.send({ messages: Array.from({ length: 50 }, (_, i) => ({ topic, partition: 1, key: Buffer.from(`k${i}`), value: Buffer.alloc(200, i) })) })
  const dirs = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0, 1] }] })
  t.equal(dirs.length, 1, 'one broker')
  const sizes = new Map(dirs[0]!.results[0]!.topics[0]!.partitions.map((p: any) => [p.partitionIndex, p.partitionSize]))
  t.equal(sizes.get(0), 0n, 'partition 0 is empty')
  t.ok(sizes.get(1)! > 10_000n, `partition 1 holds 50 x 200 B (${sizes.get(1)} bytes on disk)`)
})

t.test('codecs: DescribeCluster, DescribeTopicPartitions, DescribeQuorum, UnregisterBroker', async t => {
  const broker = await startBroker(t)
  const admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => admin.close())
  const topic = uniqueTopic('plt-dtp')
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: 1 })
  const conn = await connection(t, broker)

  const cluster = await describeClusterV1.api.async(conn, false, 1)
  t.same([cluster.errorCode, cluster.controllerId, cluster.brokers.map(b => [b.brokerId, b.host, b.port])], [0, 1, [[1, broker.host, broker.port]]])
  const controllers = await answer(describeClusterV1.api.async(conn, false, 2))
  t.same([controllers.errorCode, controllers.errorMessage], [114, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'], 'endpointType CONTROLLER sent to a broker listener: MISMATCHED_ENDPOINT_TYPE')

  const page = await describeTopicPartitionsV0.api.async(conn, [{ name: topic }], 2)
  t.same(page.topics.map(x => [x.name, x.errorCode, x.isInternal, x.partitions.map(p => [p.partitionIndex, p.leaderId, p.leaderEpoch, p.replicaNodes, p.isrNodes])]),
    [[topic, 0, false, [[0, 1, 0, [1], [1]], [1, 1, 0, [1], [1]]]]])
  t.same(page.nextCursor, { topicName: topic, partitionIndex: 2 })
  const rest = await describeTopicPartitionsV0.api.async(conn, [{ name: topic }], 2, page.nextCursor)
  t.same(rest.topics.map(x => x.partitions.map(p => p.partitionIndex)), [[2]])
  t.equal(rest.nextCursor, undefined, 'no cursor after the last page')
  const notYet = await answer(describeTopicPartitionsV0.api.async(conn, [{ name: '__consumer_offsets' }], 1))
  t.same(notYet.topics.map((x: any) => [x.name, x.errorCode]), [['__consumer_offsets', 3]], 'the offsets topic does not exist before a group needs it')
  await admin.findCoordinator({ keyType: 0, keys: ['plt-group'] })
  const internal = await describeTopicPartitionsV0.api.async(conn, [{ name: '__consumer_offsets' }], 1)
  t.same(internal.topics.map(x => [x.name, x.isInternal, x.partitions.length]), [['__consumer_offsets', true, 1]], 'once created it is internal (one partition per page)')
  t.same(internal.nextCursor, { topicName: '__consumer_offsets', partitionIndex: 1 })

  const quorum = await describeQuorumV2.api.async(conn, [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }])
  const qp = quorum.topics[0]!.partitions[0]!
  t.same([quorum.errorCode, qp.errorCode, qp.leaderId, qp.currentVoters.map(v => v.replicaId), qp.observers.length], [0, 0, 1, [1], 0])
  t.ok(qp.highWatermark > 0n, `the metadata log's high watermark is ${qp.highWatermark}`)
  const wrong = await answer(describeQuorumV2.api.async(conn, [{ topicName: topic, partitions: [{ partitionIndex: 0 }] }]))
  t.same(wrong.topics[0]!.partitions[0]!.errorCode, 3, 'any other topic is UNKNOWN_TOPIC_OR_PARTITION')

  const unknown = await answer(unregisterBrokerV0.api.async(conn, 42))
  t.equal(unknown.errorCode, 102, 'BROKER_ID_NOT_REGISTERED')
})

t.test('codecs: AlterReplicaLogDirs, reassignments, OffsetForLeaderEpoch', async t => {
  const broker = await startBroker(t)
  const admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => admin.close())
  const topic = uniqueTopic('plt-parts')
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 })
  const producer = new Producer({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => producer.close())
  await producer.send({ messages: Array.from({ length: 7 }, (_, i) => ({ topic, partition: 0, value: Buffer.from(`v${i}`) })) })
  const conn = await connection(t, broker)

  const [dirs] = await admin.describeLogDirs({ topics: [{ name: topic, partitions: [0] }] })
  const logDir = dirs!.results[0]!.logDir
  const moved = await alterReplicaLogDirsV2.api.async(conn, [{ path: logDir, topics: [{ name: topic, partitions: [0, 1] }] }])
  t.same(moved.results.flatMap(r => r.partitions.map(p => [p.partitionIndex, p.errorCode])), [[0, 0], [1, 0]])
  const nowhere = await answer(alterReplicaLogDirsV2.api.async(conn, [{ path: `${logDir}-elsewhere`, topics: [{ name: topic, partitions: [0] }] }]))
  t.same(nowhere.results.flatMap((r: any) => r.partitions.map((p: any) => p.errorCode)), [57], 'LOG_DIR_NOT_FOUND')

  // platformatic's v1 response codec lacks v1's AllowReplicationFactorChange field and misreads the
  // rest (a client bug, found here), so its v0 codec is used.
  const reassigned = await answer(alterPartitionReassignmentsV0.api.async(conn, 5000, false, [{ name: topic, partitions: [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 1, replicas: [1, 2] }] }]))
  t.same(reassigned.responses[0]!.partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[0, 0], [1, 39]], 'a second replica on an unknown broker: INVALID_REPLICA_ASSIGNMENT')
  const listed = await listPartitionReassignmentsV0.api.async(conn, 5000, [{ name: topic, partitionIndexes: [0, 1] }])
  t.same([listed.errorCode, listed.topics], [0, []])

  // platformatic's v4 response codec reads Partition before ErrorCode (Kafka's order is ErrorCode,
  // Partition), another client bug found here: its results are right only for partition 0 without an
  // error, so only such entries are asked of it. kafka-ts covers the error cases.
  const epochs = await answer(offsetForLeaderEpochV4.api.async(conn, -1, [{
    name: topic,
    partitions: [{ partitionIndex: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, { partitionIndex: 0, currentLeaderEpoch: -1, leaderEpoch: 5 }]
  }]))
  t.same(epochs.topics[0]!.partitions.map((p: any) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
    [[0, 0, 0, 7n], [0, 0, -1, -1n]], 'epoch 0 ends at the log end offset; an unknown newer epoch has no end')
})
