// KIP-714 over the wire: GetTelemetrySubscriptions (71) and PushTelemetry (72) served by an in-process broker
// with samsa.telemetry.dir set, subscriptions made with IncrementalAlterConfigs, pushes read back from the
// JSON lines the receiver writes.
import t from 'tap'
import { readFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { startTestBroker, tempDir } from '../helpers/broker.js'
import { compress } from '../../src/wire/compression/index.js'
import { crc32c } from '../../src/wire/crc32c.js'
import { uuidToBytes, ZERO_UUID } from '../../src/wire/uuid.js'
import { metricsData } from '../telemetry/otlp-encoder.js'
import type { RawClient } from '../helpers/raw-client.js'

const GET = 71
const PUSH = 72
const API_VERSIONS = 18
const INCREMENTAL = 44
const METRICS = 16
const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

async function subscribe (c: RawClient, name: string, configs: Record<string, string>): Promise<void> {
  const r = await c.request(INCREMENTAL, 1, { resources: [{ resourceType: METRICS, resourceName: name, configs: Object.entries(configs).map(([n, value]) => ({ name: n, configOperation: 0, value })) }], validateOnly: false })
  if (r.responses[0].errorCode !== 0) throw new Error(`subscription ${name}: ${r.responses[0].errorMessage}`)
}

function get (c: RawClient, clientInstanceId = ZERO_UUID, clientId = 'samsa-test'): Promise<any> {
  return c.response(c.send(GET, 0, { clientInstanceId }, { clientId }), GET, 0)
}

function push (c: RawClient, body: { clientInstanceId: string, subscriptionId: number, terminating?: boolean, compressionType?: number, metrics?: Buffer }, clientId = 'samsa-test'): Promise<any> {
  return c.response(c.send(PUSH, 0, { terminating: false, compressionType: 0, metrics: Buffer.alloc(0), ...body }, { clientId }), PUSH, 0)
}

/** Kafka's id for an empty set at the default interval: CRC-32C("[]300000") xor the Uuid hash. */
function expectedEmptySubscriptionId (id: string): number {
  const b = uuidToBytes(id)
  return (crc32c(Buffer.from('[]300000')) | 0) ^ b.readInt32BE(0) ^ b.readInt32BE(4) ^ b.readInt32BE(8) ^ b.readInt32BE(12)
}

const lines = (dir: string, id: string): any[] => existsSync(join(dir, `${id}.jsonl`)) ? readFileSync(join(dir, `${id}.jsonl`), 'utf8').trim().split('\n').map(l => JSON.parse(l)) : []

const payload = metricsData([
  { name: 'org.apache.kafka.producer.node.request.latency.avg', gauge: [{ value: 3.25, attrs: [['node_id', '1']] }] },
  { name: 'org.apache.kafka.producer.record.bytes', sum: [{ value: 777n }] }
])

t.test('not advertised or served without samsa.telemetry.dir', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const keys = (await c.request(API_VERSIONS, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).apiKeys.map((k: any) => k.apiKey)
  t.notOk(keys.includes(GET))
  t.notOk(keys.includes(PUSH))
  c.send(GET, 0, { clientInstanceId: ZERO_UUID })
  t.ok(await c.closesWithin(2000), 'a request for an API not served closes the connection')
})

t.test('advertised when enabled, and by version emulation only for releases whose brokers had them', async t => {
  for (const [version, expected] of [[undefined, true], ['4.0', true], ['3.9', false]] as const) {
    const b = await startTestBroker(t, { config: { 'samsa.telemetry.dir': tempDir(t), ...(version === undefined ? {} : { 'samsa.kafka.version': version }) } })
    const c = await b.client()
    const keys = (await c.request(API_VERSIONS, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).apiKeys
    const got = keys.filter((k: any) => k.apiKey === GET || k.apiKey === PUSH)
    t.same(got, expected ? [{ apiKey: GET, minVersion: 0, maxVersion: 0 }, { apiKey: PUSH, minVersion: 0, maxVersion: 0 }] : [], `kafka version ${version ?? 'none'}`)
    await b.stop()
  }
})

t.test('instance id assignment and the defaults with no subscription', async t => {
  const dir = tempDir(t)
  const b = await startTestBroker(t, { config: { 'samsa.telemetry.dir': dir } })
  const c = await b.client()
  const r = await get(c)
  t.equal(r.errorCode, 0)
  t.not(r.clientInstanceId, ZERO_UUID, 'the zero id gets a fresh one')
  t.equal(r.clientInstanceId.length, 22)
  t.same({ ...r, clientInstanceId: 'id' }, { throttleTimeMs: 0, errorCode: 0, clientInstanceId: 'id', subscriptionId: expectedEmptySubscriptionId(r.clientInstanceId), acceptedCompressionTypes: [4, 3, 1, 2], pushIntervalMs: 300000, telemetryMaxBytes: 1048576, deltaTemporality: true, requestedMetrics: [] })
  t.not((await get(c)).clientInstanceId, r.clientInstanceId, 'every zero-id request is a new instance')
  t.same(await get(c, r.clientInstanceId), { throttleTimeMs: 0, errorCode: 89, clientInstanceId: ZERO_UUID, subscriptionId: 0, acceptedCompressionTypes: [], pushIntervalMs: 0, telemetryMaxBytes: 0, deltaTemporality: false, requestedMetrics: [] }, 'again within the push interval: THROTTLING_QUOTA_EXCEEDED, nothing else')
})

t.test('subscriptions matched by client id and software name; union of metrics, least interval', async t => {
  const b = await startTestBroker(t, { config: { 'samsa.telemetry.dir': tempDir(t) } })
  const admin = await b.client()
  await subscribe(admin, 'producers', { metrics: 'org.apache.kafka.producer.', 'interval.ms': '5000', match: 'client_id=app-.*' })
  await subscribe(admin, 'java', { metrics: 'org.apache.kafka.consumer.,org.apache.kafka.producer.', 'interval.ms': '2000', match: 'client_software_name=apache-kafka-java' })
  await subscribe(admin, 'nothing', { 'interval.ms': '100', match: 'client_id=never' })
  const c = await b.client()
  t.equal((await c.request(API_VERSIONS, 3, { clientSoftwareName: 'apache-kafka-java', clientSoftwareVersion: '4.3.0' })).errorCode, 0)
  const both = await get(c, ZERO_UUID, 'app-1')
  // Java's HashSet order: the producer prefix hashes to bucket 0 of 16, the consumer prefix to bucket 2.
  t.same(both.requestedMetrics, ['org.apache.kafka.producer.', 'org.apache.kafka.consumer.'])
  t.equal(both.pushIntervalMs, 2000)
  const other = await b.client()
  const one = await get(other, ZERO_UUID, 'app-2')
  t.same(one.requestedMetrics, ['org.apache.kafka.producer.'], 'without ApiVersions v3 the software name is "unknown"')
  t.equal(one.pushIntervalMs, 5000)
  const none = await get(other, ZERO_UUID, 'xapp-2')
  t.same(none.requestedMetrics, [], 'a pattern must match the whole client id')
  t.equal(none.pushIntervalMs, 300000)
  await subscribe(admin, 'all', { metrics: '*', 'interval.ms': '1000' })
  const again = await get(other, none.clientInstanceId, 'xapp-2')
  t.equal(again.errorCode, 0, 'a subscription change re-evaluates the instance, not throttled')
  t.same(again.requestedMetrics, ['*'])
  t.equal(again.pushIntervalMs, 1000)
})

t.test('pushes written as JSON lines, every codec; each error Kafka gives', async t => {
  const dir = tempDir(t)
  const b = await startTestBroker(t, { config: { 'samsa.telemetry.dir': dir, 'telemetry.max.bytes': '4096' } })
  const admin = await b.client()
  await subscribe(admin, 'all', { metrics: '*', 'interval.ms': '100' })
  const c = await b.client()
  await c.request(API_VERSIONS, 3, { clientSoftwareName: 'my-client', clientSoftwareVersion: '0.1.0' })
  const s = await get(c, ZERO_UUID, 'pusher')
  const id: string = s.clientInstanceId
  t.equal(s.pushIntervalMs, 100)
  for (const codec of [0, 1, 2, 3, 4]) {
    if (codec > 0) {
      await sleep(110)
      t.equal((await get(c, id, 'pusher')).errorCode, 0)
    }
    t.equal((await push(c, { clientInstanceId: id, subscriptionId: s.subscriptionId, compressionType: codec, metrics: await compress(codec, payload) }, 'pusher')).errorCode, 0, `codec ${codec}`)
  }
  const written = lines(dir, id)
  t.equal(written.length, 5, 'one line per push')
  t.match(written[0], { clientInstanceId: id, clientId: 'pusher', softwareName: 'my-client', softwareVersion: '0.1.0', subscriptionId: s.subscriptionId, terminating: false })
  t.ok(!Number.isNaN(Date.parse(written[0].time)))
  for (const l of written) {
    t.same(l.metrics, [
      { name: 'org.apache.kafka.producer.node.request.latency.avg', type: 'gauge', points: [{ value: 3.25, attributes: { node_id: '1' }, timeUnixNano: '1700000000000000000' }] },
      { name: 'org.apache.kafka.producer.record.bytes', type: 'sum', points: [{ value: 777, attributes: {}, timeUnixNano: '1700000000000000000' }] }
    ])
  }

  const p = (body: any): Promise<number> => push(c, { clientInstanceId: id, subscriptionId: s.subscriptionId, metrics: payload, ...body }, 'pusher').then(r => r.errorCode)
  t.equal(await p({}), 89, 'a second push within the interval: THROTTLING_QUOTA_EXCEEDED')
  await sleep(110)
  t.equal(await p({ subscriptionId: s.subscriptionId + 1 }), 117, 'a stale subscription id: UNKNOWN_SUBSCRIPTION_ID')
  t.equal((await get(c, id, 'pusher')).errorCode, 0, 'after UNKNOWN_SUBSCRIPTION_ID a Get is answered at once')
  await sleep(110)
  t.equal(await p({ compressionType: 7 }), 76, 'UNSUPPORTED_COMPRESSION_TYPE')
  await sleep(110)
  t.equal(await p({ metrics: Buffer.alloc(4097) }), 118, 'over telemetry.max.bytes: TELEMETRY_TOO_LARGE')
  await sleep(110)
  t.equal(await p({ compressionType: 4, metrics: await compress(4, Buffer.alloc(5000)) }), 118, 'decompressing past telemetry.max.bytes: TELEMETRY_TOO_LARGE')
  await sleep(110)
  t.equal(await p({ metrics: Buffer.from([0x0a, 0x7f, 1, 2]) }), 87, 'a payload that is not OTLP: INVALID_RECORD')
  await sleep(110)
  t.equal(await p({ compressionType: 1, metrics: Buffer.from('not gzip') }), 87, 'a payload that does not decompress: INVALID_RECORD')
  t.equal(lines(dir, id).length, 5, 'refused pushes write nothing')
  t.equal(await p({ terminating: true }), 0, 'a terminating push is accepted inside the interval')
  t.equal(lines(dir, id).at(-1).terminating, true)
  t.equal(await p({}), 42, 'a push after a terminating one: INVALID_REQUEST')
  t.equal((await push(c, { clientInstanceId: ZERO_UUID, subscriptionId: 0 })).errorCode, 42, 'the zero id: INVALID_REQUEST')
  t.same(await push(c, { clientInstanceId: 'q2Jk0mN5Rj6pXwYhZ1vL8A', subscriptionId: 1 }), { throttleTimeMs: 0, errorCode: 117 }, 'an instance the broker never saw: UNKNOWN_SUBSCRIPTION_ID')
})
