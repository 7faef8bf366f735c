// Issue 6's admin surface through kafka-ts, a third-party TypeScript client with its own codec for
// every Kafka 4.x API (it negotiates each API's version from ApiVersions, so samsa is driven at the
// newest version both sides know). Each test checks what the broker answered, not just "no error".
// This is the second real client for the APIs that kafkajs and the Debian Python clients lack:
// quotas, features, DescribeCluster, DescribeTopicPartitions, DescribeQuorum, ElectLeaders,
// ListConfigResources, UnregisterBroker, AlterReplicaLogDirs, IncrementalAlterConfigs.
import t from 'tap'
import { createKafkaClient, API, KafkaTSApiError } from 'kafka-ts'
import { startBroker, type Broker, type Teardownable } from './harness.js'
import { uniqueTopic } from './records.js'

type Cluster = ReturnType<ReturnType<typeof createKafkaClient>['createCluster']>

const TOPIC = 2
const BROKER = 4
const BROKER_LOGGER = 8
const GROUP = 32

type Api<Req, Res> = { apiKey: number, request: (...a: any[]) => any, response: (...a: any[]) => Res } & { __req?: Req }

async function connect (t: Teardownable, broker: Broker): Promise<Cluster> {
  const cluster = createKafkaClient({ clientId: 'samsa-kafka-ts', bootstrapServers: [{ host: broker.host, port: broker.port }], requestTimeout: 10_000 }).createCluster()
  await cluster.connect()
  t.teardown(async () => await cluster.disconnect())
  return cluster
}

/** The decoded response, also when kafka-ts threw it as an error because some code in it was not 0. */
async function answer<Res> (cluster: Cluster, api: Api<any, Res>, body: unknown): Promise<Res> {
  try {
    return await cluster.sendRequest(api as any, body as any) as Res
  } catch (e) {
    if (e instanceof KafkaTSApiError) return e.response as Res
    throw e
  }
}

async function createTopic (cluster: Cluster, name: string, numPartitions: number, configs: Array<{ name: string, value: string }> = []): Promise<void> {
  const res: any = await answer(cluster, API.CREATE_TOPICS, {
    topics: [{ name, numPartitions, replicationFactor: 1, assignments: [], configs }],
    timeoutMs: 5000,
    validateOnly: false
  })
  if (res.topics[0].errorCode !== 0) throw new Error(`create ${name}: ${res.topics[0].errorCode}`)
}

/** kafka-ts keeps ApiVersions' tagged fields raw: tag 2 is FinalizedFeatures (name, maxVersionLevel, minVersionLevel). */
function finalizedFeatures (res: any): Map<string, number> {
  const buf: Buffer | undefined = res.tags?.[2]
  const out = new Map<string, number>()
  if (buf === undefined) return out
  let pos = 0
  const varint = (): number => {
    let v = 0
    let shift = 0
    for (;;) {
      const b = buf[pos++]!
      v |= (b & 0x7f) << shift
      if ((b & 0x80) === 0) return v
      shift += 7
    }
  }
  const count = varint() - 1
  for (let i = 0; i < count; i++) {
    const len = varint() - 1
    const name = buf.toString('utf8', pos, pos + len)
    pos += len
    const max = buf.readInt16BE(pos)
    pos += 4
    const tags = varint()
    if (tags !== 0) throw new Error('unexpected tagged fields in a finalized feature')
    out.set(name, max)
  }
  return out
}

function configMap (entries: Array<{ name: string, value: string | null }>): Map<string, string | null> {
  return new Map(entries.map(c => [c.name, c.value]))
}

t.test('configs: DescribeConfigs with synonyms and documentation, AlterConfigs, IncrementalAlterConfigs, persisted', async t => {
  const broker = await startBroker(t)
  let cluster = await connect(t, broker)
  const topic = uniqueTopic('kts-configs')
  await createTopic(cluster, topic, 1, [{ name: 'retention.ms', value: '3600000' }])

  const described: any = await answer(cluster, API.DESCRIBE_CONFIGS, {
    resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: ['retention.ms', 'cleanup.policy'] }],
    includeSynonyms: true,
    includeDocumentation: true
  })
  const r = described.results[0]
  t.equal(r.errorCode, 0)
  const byName = new Map<string, any>(r.configs.map((c: any) => [c.name, c]))
  t.same([...byName.keys()].sort(), ['cleanup.policy', 'retention.ms'], 'only the asked keys')
  const retention = byName.get('retention.ms')
  t.same([retention.value, retention.configSource, retention.readOnly, retention.configType], ['3600000', 1, false, 5], 'topic-level value, source DYNAMIC_TOPIC_CONFIG, type LONG')
  // Kafka's ConfigHelper drops broker synonyms before the first one named log.retention.ms, and only
  // log.retention.hours has a default: so the topic value is the only synonym.
  t.same(retention.synonyms.map((s: any) => [s.name, s.value, s.source]), [['retention.ms', '3600000', 1]], 'the topic value is its only synonym')
  t.match(retention.documentation, /kept/, 'documentation is sent when asked')
  t.same([byName.get('cleanup.policy').value, byName.get('cleanup.policy').configSource], ['delete', 5])

  // Legacy AlterConfigs replaces the whole topic config set: retention.ms falls back to the default.
  const altered: any = await answer(cluster, API.ALTER_CONFIGS, {
    resources: [{ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', value: '65536' }] }],
    validateOnly: false
  })
  t.same(altered.responses.map((x: any) => x.errorCode), [0])
  const bad: any = await answer(cluster, API.ALTER_CONFIGS, {
    resources: [{ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'max.message.bytes', value: 'lots' }] }],
    validateOnly: false
  })
  t.equal(bad.responses[0].errorCode, 40, 'INVALID_CONFIG for a non-integer')
  t.match(bad.responses[0].errorMessage, /max\.message\.bytes/)

  const inc: any = await answer(cluster, API.INCREMENTAL_ALTER_CONFIGS, {
    resources: [
      { resourceType: TOPIC, resourceName: topic, configs: [{ name: 'cleanup.policy', configOperation: 2, value: 'compact' }, { name: 'segment.ms', configOperation: 0, value: '600000' }] },
      { resourceType: BROKER, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '7200000' }] }
    ],
    validateOnly: false
  })
  t.same(inc.responses.map((x: any) => [x.resourceType, x.errorCode]), [[TOPIC, 0], [BROKER, 0]])
  const dryRun: any = await answer(cluster, API.INCREMENTAL_ALTER_CONFIGS, {
    resources: [{ resourceType: TOPIC, resourceName: topic, configs: [{ name: 'segment.ms', configOperation: 1, value: null }] }],
    validateOnly: true
  })
  t.equal(dryRun.responses[0].errorCode, 0, 'validateOnly DELETE is accepted and changes nothing')

  const check = async (): Promise<void> => {
    const now: any = await answer(cluster, API.DESCRIBE_CONFIGS, {
      resources: [{ resourceType: TOPIC, resourceName: topic, configurationKeys: null }, { resourceType: BROKER, resourceName: '1', configurationKeys: ['log.retention.ms'] }],
      includeSynonyms: false
    })
    const topicConfigs = configMap(now.results[0].configs)
    t.equal(topicConfigs.get('max.message.bytes'), '65536')
    t.equal(topicConfigs.get('cleanup.policy'), 'delete,compact', 'APPEND added to the list')
    t.equal(topicConfigs.get('segment.ms'), '600000')
    t.equal(topicConfigs.get('retention.ms'), '7200000', 'the topic now inherits the cluster-wide broker default set above')
    const brokerRetention = now.results[1].configs[0]
    t.same([brokerRetention.name, brokerRetention.value, brokerRetention.configSource], ['log.retention.ms', '7200000', 3], 'DYNAMIC_DEFAULT_BROKER_CONFIG')
  }
  await check()
  await cluster.disconnect()
  await broker.restart()
  cluster = await connect(t, broker)
  await check()
})

t.test('broker logger and group configs', async t => {
  const broker = await startBroker(t)
  const cluster = await connect(t, broker)
  const before: any = await answer(cluster, API.DESCRIBE_CONFIGS, { resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: null }], includeSynonyms: false })
  t.equal(before.results[0].errorCode, 0)
  t.ok(before.results[0].configs.length > 0, 'loggers are listed')
  const logger = before.results[0].configs[0].name
  const set: any = await answer(cluster, API.INCREMENTAL_ALTER_CONFIGS, {
    resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configs: [{ name: logger, configOperation: 0, value: 'DEBUG' }] }],
    validateOnly: false
  })
  t.equal(set.responses[0].errorCode, 0)
  const after: any = await answer(cluster, API.DESCRIBE_CONFIGS, { resources: [{ resourceType: BROKER_LOGGER, resourceName: '1', configurationKeys: [logger] }], includeSynonyms: false })
  t.equal(after.results[0].configs[0].value, 'DEBUG', `${logger} is now DEBUG`)

  const group: any = await answer(cluster, API.INCREMENTAL_ALTER_CONFIGS, {
    resources: [{ resourceType: GROUP, resourceName: 'kts-group', configs: [{ name: 'consumer.session.timeout.ms', configOperation: 0, value: '50000' }] }],
    validateOnly: false
  })
  t.equal(group.responses[0].errorCode, 0)
  const listed: any = await answer(cluster, API.LIST_CONFIG_RESOURCES, { resourceTypes: [GROUP] })
  t.equal(listed.errorCode, 0)
  t.same(listed.configResources.map((c: any) => [c.resourceName, c.resourceType]), [['kts-group', GROUP]], 'ListConfigResources lists the group with a config')
  const g: any = await answer(cluster, API.DESCRIBE_CONFIGS, { resources: [{ resourceType: GROUP, resourceName: 'kts-group', configurationKeys: ['consumer.session.timeout.ms'] }], includeSynonyms: false })
  t.same([g.results[0].configs[0].value, g.results[0].configs[0].configSource], ['50000', 8], 'DYNAMIC_GROUP_CONFIG')
})

t.test('partitions: CreatePartitions, DescribeTopicPartitions with a cursor, DescribeCluster, ElectLeaders, reassignments', async t => {
  const broker = await startBroker(t)
  const cluster = await connect(t, broker)
  const a = uniqueTopic('kts-a')
  const b = uniqueTopic('kts-b')
  await createTopic(cluster, a, 2)
  await createTopic(cluster, b, 1)

  const dry: any = await answer(cluster, API.CREATE_PARTITIONS, { topics: [{ name: a, count: 5, assignments: null }], timeoutMs: 5000, validateOnly: true })
  t.same(dry.results.map((x: any) => x.errorCode), [0])
  const grow: any = await answer(cluster, API.CREATE_PARTITIONS, { topics: [{ name: a, count: 3, assignments: [{ brokerIds: [1] }] }], timeoutMs: 5000, validateOnly: false })
  t.same(grow.results.map((x: any) => x.errorCode), [0])
  const shrink: any = await answer(cluster, API.CREATE_PARTITIONS, { topics: [{ name: a, count: 1, assignments: null }], timeoutMs: 5000, validateOnly: false })
  t.equal(shrink.results[0].errorCode, 37, 'INVALID_PARTITIONS for a decrease')

  const [first, second] = [a, b].sort()
  const page1: any = await answer(cluster, API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: a }, { name: b }], responsePartitionLimit: 2, cursor: null })
  t.same(page1.topics.map((x: any) => [x.name, x.partitions.map((p: any) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes])]),
    [[first, [[0, 1, [1], [1]], [1, 1, [1], [1]]].slice(0, first === a ? 2 : 1)]].concat(first === a ? [] : [[second, [[0, 1, [1], [1]]]]]),
    'the first page holds the first two partitions in topic-name order')
  t.ok(page1.nextCursor !== null, 'a cursor to the rest')
  const page2: any = await answer(cluster, API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: a }, { name: b }], responsePartitionLimit: 2, cursor: page1.nextCursor })
  const all = [...page1.topics, ...page2.topics].flatMap((x: any) => x.partitions.map((p: any) => `${x.name}/${p.partitionIndex}`))
  t.same(all.sort(), [`${a}/0`, `${a}/1`, `${a}/2`, `${b}/0`].sort(), 'both pages together cover every partition once')
  const unknown: any = await answer(cluster, API.DESCRIBE_TOPIC_PARTITIONS, { topics: [{ name: 'no-such-topic' }], responsePartitionLimit: 10, cursor: null })
  t.same(unknown.topics.map((x: any) => [x.name, x.errorCode]), [['no-such-topic', 3]])

  const described: any = await answer(cluster, API.DESCRIBE_CLUSTER, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true })
  t.equal(described.errorCode, 0)
  t.same(described.brokers.map((x: any) => [x.brokerId, x.host, x.port, x.isFenced]), [[1, broker.host, broker.port, false]])
  t.equal(described.controllerId, 1)
  t.match(described.clusterId, /^[A-Za-z0-9_-]{22}$/)

  const elect: any = await answer(cluster, API.ELECT_LEADERS, { electionType: 0, topicPartitions: [{ topic: a, partitions: [0, 1] }], timeoutMs: 5000 })
  t.same(elect.replicaElectionResults.flatMap((x: any) => x.partitionResult.map((p: any) => [x.topic, p.partitionId, p.errorCode])),
    [[a, 0, 84], [a, 1, 84]], 'ELECTION_NOT_NEEDED: the preferred leader already leads')

  const reassign: any = await answer(cluster, API.ALTER_PARTITION_REASSIGNMENTS, {
    timeoutMs: 5000,
    topics: [{ name: a, partitions: [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 1, replicas: [5] }] }]
  })
  t.same(reassign.responses[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[0, 0], [1, 39]], 'INVALID_REPLICA_ASSIGNMENT for an unknown broker')
  const cancel: any = await answer(cluster, API.ALTER_PARTITION_REASSIGNMENTS, { timeoutMs: 5000, topics: [{ name: a, partitions: [{ partitionIndex: 2, replicas: null }] }] })
  t.same(cancel.responses[0].partitions.map((p: any) => p.errorCode), [85], 'NO_REASSIGNMENT_IN_PROGRESS')
  const listed: any = await answer(cluster, API.LIST_PARTITION_REASSIGNMENTS, { timeoutMs: 5000, topics: null })
  t.same([listed.errorCode, listed.topics], [0, []], 'nothing is moving on one broker')
})

t.test('log dirs and leader epochs: DescribeLogDirs sizes, AlterReplicaLogDirs, OffsetForLeaderEpoch', async t => {
  const broker = await startBroker(t)
  const cluster = await connect(t, broker)
  const topic = uniqueTopic('kts-logdirs')
  await createTopic(cluster, topic, 2)
  const producer = createKafkaClient({ clientId: 'samsa-kafka-ts', bootstrapServers: [{ host: broker.host, port: broker.port }] }).createProducer({ allowTopicAutoCreation: false })
  t.teardown(async () => await producer.close())
  await producer.send(Array.from({ length: 20 }, (_, i) => ({ topic, partition: 0, key: `k${i}`, value: 'v'.repeat(100) })))

  const dirs: any = await answer(cluster, API.DESCRIBE_LOG_DIRS, { topics: [{ topic, partitions: [0, 1] }] })
  t.equal(dirs.results.length, 1, 'one log dir')
  const dir = dirs.results[0]
  t.equal(dir.errorCode, 0)
  t.ok(dir.totalBytes > 0n && dir.usableBytes > 0n, 'disk sizes are real')
  const parts = new Map<number, any>(dir.topics[0].partitions.map((p: any) => [p.partitionIndex, p]))
  t.ok(parts.get(0).partitionSize > 2000n, `partition 0 holds its records (${parts.get(0).partitionSize} bytes)`)
  t.equal(parts.get(1).partitionSize, 0n, 'partition 1 is empty')

  const move: any = await answer(cluster, API.ALTER_REPLICA_LOG_DIRS, { dirs: [{ path: dir.logDir, topics: [{ name: topic, partitions: [0] }] }] })
  t.same(move.results[0].partitions.map((p: any) => [p.partitionIndex, p.errorCode]), [[0, 0]], 'moving to the dir it is in succeeds')
  const elsewhere: any = await answer(cluster, API.ALTER_REPLICA_LOG_DIRS, { dirs: [{ path: '/no/such/dir', topics: [{ name: topic, partitions: [0] }] }] })
  t.same(elsewhere.results[0].partitions.map((p: any) => p.errorCode), [57], 'LOG_DIR_NOT_FOUND')

  const epochs: any = await answer(cluster, API.OFFSET_FOR_LEADER_EPOCH, {
    replicaId: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }, { partition: 1, currentLeaderEpoch: -1, leaderEpoch: 0 }, { partition: 0, currentLeaderEpoch: 3, leaderEpoch: 0 }] }]
  })
  t.same(epochs.topics[0].partitions.map((p: any) => [p.partition, p.errorCode, p.leaderEpoch, p.endOffset]),
    [[0, 0, 0, 20n], [1, 0, 0, 0n], [0, 75, -1, -1n]],
    'epoch 0 ends at the log end (an empty log\'s epoch starts, and ends, at 0 as Kafka\'s makeLeader assigns it); a newer current epoch is UNKNOWN_LEADER_EPOCH')
})

t.test('client quotas: alter, validate, describe with match types', async t => {
  const broker = await startBroker(t)
  const cluster = await connect(t, broker)
  const altered: any = await answer(cluster, API.ALTER_CLIENT_QUOTAS, {
    entries: [
      { entity: [{ entityType: 'user', entityName: 'alice' }, { entityType: 'client-id', entityName: 'app' }], ops: [{ key: 'consumer_byte_rate', value: 4096, remove: false }] },
      { entity: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }, { key: 'request_percentage', value: 50, remove: false }] },
      { entity: [{ entityType: 'client-id', entityName: 'x' }], ops: [{ key: 'no_such_quota', value: 1, remove: false }] }
    ],
    validateOnly: false
  })
  t.same(altered.entries.map((e: any) => e.errorCode), [0, 0, 42], 'INVALID_REQUEST for an unknown key')
  const dry: any = await answer(cluster, API.ALTER_CLIENT_QUOTAS, {
    entries: [{ entity: [{ entityType: 'client-id', entityName: 'dry' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }],
    validateOnly: true
  })
  t.same(dry.entries.map((e: any) => e.errorCode), [0])

  const all: any = await answer(cluster, API.DESCRIBE_CLIENT_QUOTAS, { components: [], strict: false })
  const flat = all.entries.map((e: any) => [e.entity.map((x: any) => `${x.entityType}=${x.entityName}`).sort().join(','), e.values.map((v: any) => `${v.key}=${v.value}`).sort().join(',')]).sort()
  t.same(flat, [['client-id=app,user=alice', 'consumer_byte_rate=4096'], ['client-id=null', 'producer_byte_rate=1024,request_percentage=50']], 'validateOnly stored nothing')
  const strict: any = await answer(cluster, API.DESCRIBE_CLIENT_QUOTAS, { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true })
  t.same(strict.entries, [], 'strict: user=alice alone matches no entity that also names a client id')
  const loose: any = await answer(cluster, API.DESCRIBE_CLIENT_QUOTAS, { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: false })
  t.equal(loose.entries.length, 1)
  const defaults: any = await answer(cluster, API.DESCRIBE_CLIENT_QUOTAS, { components: [{ entityType: 'client-id', matchType: 1, match: null }], strict: true })
  t.same(defaults.entries.map((e: any) => e.entity), [[{ entityType: 'client-id', entityName: null, tags: {} }]], 'matchType DEFAULT')
})

t.test('features and the quorum: UpdateFeatures, DescribeQuorum, UnregisterBroker', async t => {
  const broker = await startBroker(t)
  const cluster = await connect(t, broker)
  const finalized = async (): Promise<Map<string, number>> => finalizedFeatures(await answer(cluster, API.API_VERSIONS, {}))
  t.equal((await finalized()).get('group.version'), 1)
  const refused: any = await answer(cluster, API.UPDATE_FEATURES, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 1 }], validateOnly: false })
  t.same([refused.errorCode, refused.errorMessage], [95, "Invalid update version 0 for feature group.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade."], 'INVALID_UPDATE_VERSION for a downgrade of upgrade type')
  const down: any = await answer(cluster, API.UPDATE_FEATURES, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }], validateOnly: false })
  t.same([down.errorCode, down.errorMessage], [0, null], 'a safe downgrade (v2 has no per-feature results)')
  const unknown: any = await answer(cluster, API.UPDATE_FEATURES, { timeoutMs: 5000, featureUpdates: [{ feature: 'no.such.feature', maxVersionLevel: 1, upgradeType: 1 }], validateOnly: false })
  t.same([unknown.errorCode, unknown.errorMessage], [95, 'Invalid update version 1 for feature no.such.feature. Local controller 1 does not support this feature.'])
  t.equal((await finalized()).get('group.version'), undefined, 'ApiVersions no longer lists group.version: Kafka omits level-0 features')
  const up: any = await answer(cluster, API.UPDATE_FEATURES, { timeoutMs: 5000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 1, upgradeType: 1 }], validateOnly: false })
  t.equal(up.errorCode, 0)
  t.equal((await finalized()).get('group.version'), 1, 'upgraded again')

  const quorum: any = await answer(cluster, API.DESCRIBE_QUORUM, { topics: [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }] })
  const p = quorum.topics[0].partitions[0]
  t.same([quorum.errorCode, p.errorCode, p.leaderId, p.currentVoters.map((v: any) => v.replicaId), p.observers], [0, 0, 1, [1], []])
  t.ok(p.highWatermark > 0n && p.currentVoters[0].logEndOffset >= p.highWatermark, 'the metadata log has records')
  t.same(quorum.nodes.map((n: any) => [n.nodeId, n.listeners.map((l: any) => l.port)]), [[1, [broker.port]]])

  const unregisterOther: any = await answer(cluster, API.UNREGISTER_BROKER, { brokerId: 7 })
  t.equal(unregisterOther.errorCode, 102, 'BROKER_ID_NOT_REGISTERED')
})
