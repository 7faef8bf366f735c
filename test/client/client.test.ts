import t from 'tap'
import { fakeBroker, apiVersionsBody } from './fake-broker.js'
import { negotiate, clientRanges } from '../../src/client/versions.js'
import { Connection } from '../../src/client/connection.js'
import { KafkaClient, API, parseBroker } from '../../src/client/client.js'
import { Producer } from '../../src/client/producer.js'
import { alterConfigs, createPartitions, clusterInfo, ResourceType } from '../../src/client/admin.js'
import { KafkaError, UnsupportedApiError, ConnectionError, RequestTimeoutError } from '../../src/client/errors.js'
import { murmur2, partitionForKey } from '../../src/client/partitioner.js'
import { rangeAssign, encodeAssignment, decodeAssignment, encodeSubscription, decodeSubscription } from '../../src/client/group.js'

t.test('negotiate picks the highest common version and drops APIs without overlap', async t => {
  const client = new Map([[0, { minVersion: 3, maxVersion: 13 }], [1, { minVersion: 4, maxVersion: 18 }], [3, { minVersion: 0, maxVersion: 13 }]])
  const got = negotiate(client, [{ apiKey: 0, minVersion: 0, maxVersion: 9 }, { apiKey: 1, minVersion: 0, maxVersion: 3 }, { apiKey: 3, minVersion: 12, maxVersion: 20 }, { apiKey: 99, minVersion: 0, maxVersion: 1 }])
  t.same([...got], [[0, 9], [3, 13]])
  // Unstable latest versions are never offered (InitProducerId's v6 is marked unstable in 4.3).
  t.equal(clientRanges().get(22)?.maxVersion, 5)
})

t.test('ApiVersions falls back to the version the broker names in its v0 UNSUPPORTED_VERSION answer', async t => {
  const b = await fakeBroker(t, req => {
    if (req.apiKey !== API.ApiVersions) return null
    if (req.version > 2) return { version: 0, body: { errorCode: 35, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 2 }] } }
    return { body: apiVersionsBody([[18, 0, 2], [3, 1, 9], [0, 3, 8]]) }
  })
  const c = await Connection.open('127.0.0.1', b.port)
  t.teardown(() => c.close())
  t.same(b.seen.map(s => s.version), [4, 2])
  t.equal(c.version(API.Metadata), 9)
  t.equal(c.version(API.Produce), 8)
  t.throws(() => c.version(API.Fetch, 'fetch'), UnsupportedApiError)
  t.throws(() => c.version(API.Fetch, 'fetch'), { message: /does not support Fetch \(needed to fetch\)/ })
})

function metadataBody (ports: [number, number]): object {
  return {
    brokers: [{ nodeId: 1, host: '127.0.0.1', port: ports[0], rack: null }, { nodeId: 2, host: '127.0.0.1', port: ports[1], rack: null }],
    clusterId: 'fake-cluster',
    controllerId: 2,
    topics: [{ errorCode: 0, name: 'routed', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', isInternal: false, partitions: [0, 1].map(p => ({ errorCode: 0, partitionIndex: p, leaderId: p + 1, leaderEpoch: 0, replicaNodes: [p + 1], isrNodes: [p + 1], offlineReplicas: [] })) }]
  }
}

t.test('requests go to the partition leader named by Metadata', async t => {
  const ports: [number, number] = [0, 0]
  const handler = (req: { apiKey: number, version: number, body: any }): { body: object } | null => {
    if (req.apiKey === API.ApiVersions) return { body: apiVersionsBody([[18, 0, 4], [3, 0, 12], [0, 3, 11]]) }
    if (req.apiKey === API.Metadata) return { body: metadataBody(ports) }
    if (req.apiKey === API.Produce) {
      const p = req.body.topicData[0].partitionData[0].index
      return { body: { responses: [{ name: 'routed', partitionResponses: [{ index: p, errorCode: 0, baseOffset: 41n, logAppendTimeMs: -1n, logStartOffset: 0n }] }] } }
    }
    return null
  }
  const a = await fakeBroker(t, handler)
  const b = await fakeBroker(t, handler)
  ports[0] = a.port
  ports[1] = b.port
  const client = new KafkaClient({ brokers: [`127.0.0.1:${a.port}`] })
  t.teardown(() => client.close())
  const producer = new Producer(client, 'routed')
  const [r0, r1] = await Promise.all([producer.send({ value: Buffer.from('x'), partition: 0 }), producer.send({ value: Buffer.from('y'), partition: 1 })])
  t.same([r0, r1], [{ partition: 0, offset: 41n }, { partition: 1, offset: 41n }])
  t.same(a.seen.filter(s => s.apiKey === API.Produce).map(s => s.body.topicData[0].partitionData.map((d: any) => d.index)), [[0]])
  t.same(b.seen.filter(s => s.apiKey === API.Produce).map(s => s.body.topicData[0].partitionData.map((d: any) => d.index)), [[1]])
  t.equal(b.seen.filter(s => s.apiKey === API.Produce)[0]?.version, 11, 'the negotiated Produce version')
  const info = await clusterInfo(client)
  t.same(info, { clusterId: 'fake-cluster', controllerId: 2, brokers: [{ nodeId: 1, host: '127.0.0.1', port: a.port, rack: null }, { nodeId: 2, host: '127.0.0.1', port: b.port, rack: null }], source: 'Metadata' })
})

t.test('a broker without the config and partition APIs gives clear errors', async t => {
  const b = await fakeBroker(t, req => req.apiKey === API.ApiVersions ? { body: apiVersionsBody([[18, 0, 4], [3, 0, 12]]) } : null)
  const client = new KafkaClient({ brokers: [`127.0.0.1:${b.port}`] })
  t.teardown(() => client.close())
  await t.rejects(alterConfigs(client, ResourceType.TOPIC, 't', { set: [['a', 'b']], delete: [] }), { name: 'UnsupportedApiError', message: new RegExp(`broker 127.0.0.1:${b.port} does not support IncrementalAlterConfigs or AlterConfigs`) })
  await t.rejects(createPartitions(client, 't', 3), { message: /does not support CreatePartitions/ })
})

t.test('Kafka errors carry their names; timeouts and refused connections are typed', async t => {
  const b = await fakeBroker(t, req => {
    if (req.apiKey === API.ApiVersions) return { body: apiVersionsBody([[18, 0, 4], [3, 0, 12], [44, 0, 1]]) }
    if (req.apiKey === API.IncrementalAlterConfigs) return { body: { responses: [{ errorCode: 40, errorMessage: 'Invalid value x for configuration retention.ms', resourceType: 2, resourceName: 't' }] } }
    return null
  })
  const client = new KafkaClient({ brokers: [`127.0.0.1:${b.port}`], requestTimeoutMs: 200 })
  t.teardown(() => client.close())
  const err = await alterConfigs(client, ResourceType.TOPIC, 't', { set: [['retention.ms', 'x']], delete: [] }).catch(e => e)
  t.type(err, KafkaError)
  t.equal(err.errorName, 'INVALID_CONFIG')
  t.equal(err.message, 'alter configs of topic t: INVALID_CONFIG: Invalid value x for configuration retention.ms')
  await t.rejects(client.metadata(null), RequestTimeoutError, 'Metadata is never answered')
  const closed = await fakeBroker(t, () => null)
  await closed.close()
  const refused = new KafkaClient({ brokers: [`127.0.0.1:${closed.port}`] })
  await t.rejects(refused.metadata(null), { name: 'ConnectionError', message: /ECONNREFUSED/ })
  t.throws(() => parseBroker('nohost'), RangeError)
  t.same(parseBroker('[::1]:9092'), { host: '::1', port: 9092 })
  t.type(new ConnectionError('x'), Error)
})

t.test('murmur2 matches Kafka UtilsTest vectors', async t => {
  const cases: Array<[string, number]> = [['21', -973932308], ['foobar', -790332482], ['a-little-bit-long-string', -985981536], ['a-little-bit-longer-string', -1486304829], ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971], ['abc', 479470107]]
  for (const [s, h] of cases) t.equal(murmur2(Buffer.from(s)), h, s)
  t.equal(partitionForKey(Buffer.from('21'), 7), (-973932308 & 0x7fffffff) % 7)
})

t.test('range assignor and consumer protocol payloads', async t => {
  const a = rangeAssign([{ memberId: 'b', topics: ['t'] }, { memberId: 'a', topics: ['t', 'u'] }, { memberId: 'c', topics: ['t'] }], new Map([['t', 7], ['u', 2]]))
  t.same(Object.fromEntries([...a].map(([m, x]) => [m, Object.fromEntries(x)])), { a: { t: [0, 1, 2], u: [0, 1] }, b: { t: [3, 4] }, c: { t: [5, 6] } })
  const few = rangeAssign([{ memberId: 'x', topics: ['t'] }, { memberId: 'y', topics: ['t'] }], new Map([['t', 1]]))
  t.same([...few.get('y')!], [])
  t.same([...decodeAssignment(encodeAssignment(new Map([['t', [1, 2]]])))], [['t', [1, 2]]])
  t.same(decodeAssignment(Buffer.alloc(0)).size, 0)
  t.same(decodeSubscription(encodeSubscription(['a', 'b'])), ['a', 'b'])
})
