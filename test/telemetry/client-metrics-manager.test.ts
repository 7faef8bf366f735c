import t from 'tap'
import { ClientMetricsManager, subscriptionId, type ClientInfo, type PushRequest } from '../../src/telemetry/client-metrics-manager.js'
import { JavaHashSet } from '../../src/telemetry/java-hash.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import { ZERO_UUID } from '../../src/wire/uuid.js'

function setup (subs: Record<string, Record<string, string>> = {}, opts: { cacheMaxSize?: number } = {}) {
  let now = 1_000_000
  const configs = new Map(Object.entries(subs).map(([k, v]) => [k, new Map(Object.entries(v))]))
  const m = new ClientMetricsManager({ telemetryMaxBytes: 100, subscriptionConfigs: () => configs, now: () => now, ...opts })
  let connId = 0
  const client = (over: Partial<ClientInfo> = {}): ClientInfo => ({ connection: { id: ++connId, remote: '127.0.0.1:5000', closed: false }, clientId: 'c1', softwareName: 'apache-kafka-java', softwareVersion: '4.3.0', sourceAddress: '127.0.0.1', sourcePort: '5000', ...over })
  const exported: PushRequest[] = []
  const exporter = async (_i: unknown, r: PushRequest): Promise<void> => { exported.push(r) }
  return { m, configs, client, exported, exporter, advance: (ms: number) => { now += ms } }
}

const push = (id: string, subscriptionId: number, over: Partial<PushRequest> = {}): PushRequest => ({ clientInstanceId: id, subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.from([1]), ...over })

t.test('subscription id: CRC-32C of the set and interval xor the instance id hash', async t => {
  const { m, client } = setup()
  const r = m.getSubscriptions(ZERO_UUID, client())
  t.equal(r.subscriptionId, subscriptionId(new JavaHashSet(), 300000, r.clientInstanceId!))
  t.equal(r.pushIntervalMs, 300000)
  t.same(r.requestedMetrics, [])
})

t.test('matching, union of metrics, min interval, "*" collapses the set', async t => {
  const { m, client } = setup({
    a: { metrics: 'org.apache.kafka.producer., org.apache.kafka.consumer.', 'interval.ms': '5000', match: 'client_id=app-.*' },
    b: { metrics: 'org.apache.kafka.producer.', 'interval.ms': '2000', match: 'client_software_name=apache-kafka-java,client_software_version=4\\..*' },
    c: { metrics: '*', match: 'client_source_port=9' }
  })
  const r = m.getSubscriptions(ZERO_UUID, client({ clientId: 'app-1' }))
  t.same([...r.requestedMetrics!].sort(), ['org.apache.kafka.consumer.', 'org.apache.kafka.producer.'])
  t.equal(r.pushIntervalMs, 2000)
  const only = m.getSubscriptions(ZERO_UUID, client({ clientId: 'xapp-1', softwareVersion: '3.9' }))
  t.same(only.requestedMetrics, [], 'patterns match the whole value only')
  t.equal(only.pushIntervalMs, 300000)
  const all = m.getSubscriptions(ZERO_UUID, client({ clientId: 'app-2', sourcePort: '9' }))
  t.same(all.requestedMetrics, ['*'])
  t.equal(all.pushIntervalMs, 2000)
})

t.test('a subscription change re-evaluates the instance on its next request', async t => {
  const { m, configs, client, advance } = setup({ a: { metrics: 'x.', 'interval.ms': '1000' } })
  const c = client()
  const r1 = m.getSubscriptions(ZERO_UUID, c)
  t.equal(m.getSubscriptions(r1.clientInstanceId!, c).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED)
  configs.set('a', new Map([['metrics', 'y.'], ['interval.ms', '1000']]))
  const r2 = m.getSubscriptions(r1.clientInstanceId!, c)
  t.equal(r2.errorCode, 0, 'a changed subscription is answered at once')
  t.same(r2.requestedMetrics, ['y.'])
  t.not(r2.subscriptionId, r1.subscriptionId)
  advance(10)
  t.equal((await m.push(push(r1.clientInstanceId!, r1.subscriptionId!), c, async () => {})), ErrorCode.UNKNOWN_SUBSCRIPTION_ID)
})

t.test('push rules in Kafka order; terminating recorded even when refused', async t => {
  const { m, client, exporter, exported, advance } = setup({ a: { metrics: '*', 'interval.ms': '1000' } })
  const c = client()
  const { clientInstanceId: id, subscriptionId: sid } = m.getSubscriptions(ZERO_UUID, c)
  t.equal(await m.push(push(id!, sid!), c, exporter), 0, 'right after Get')
  t.equal(await m.push(push(id!, sid!), c, exporter), ErrorCode.THROTTLING_QUOTA_EXCEEDED)
  t.equal(await m.push(push(id!, sid! + 1, { terminating: true }), c, exporter), ErrorCode.UNKNOWN_SUBSCRIPTION_ID, 'a terminating push skips the interval check')
  t.equal(await m.push(push(id!, sid!), c, exporter), ErrorCode.INVALID_REQUEST, 'the refused terminating push still marked the instance')
  t.equal(await m.push(push(id!, sid!), c, exporter), ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'the previous push cleared terminating again')
  advance(1000)
  t.equal(await m.push(push(id!, sid!, { compressionType: 5 }), c, exporter), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE)
  t.equal(m.getSubscriptions(id!, c).errorCode, 0, 'Get is not throttled after UNSUPPORTED_COMPRESSION_TYPE')
  t.equal(await m.push(push(id!, sid!), c, exporter), ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'an exempted Get does not count as a Get for the next push')
  advance(1000)
  t.equal(await m.push(push(id!, sid!, { metrics: Buffer.alloc(101) }), c, exporter), ErrorCode.TELEMETRY_TOO_LARGE)
  advance(1000)
  t.equal(await m.push(push(id!, sid!, { metrics: Buffer.alloc(0) }), c, exporter), 0, 'an empty payload is accepted and not exported')
  advance(1000)
  t.equal(await m.push(push(id!, sid!), c, async () => { throw new Error('bad') }), ErrorCode.INVALID_RECORD)
  t.equal(exported.length, 1)
  t.equal(await m.push(push(ZERO_UUID, 0), c, exporter), ErrorCode.INVALID_REQUEST)
  t.equal(await m.push(push('AAAAAAAAAAAAAAAAAAAAAQ', 0), c, exporter), ErrorCode.INVALID_REQUEST, 'the metadata topic id is reserved too')
})

t.test('an unknown instance id gets an instance: only the implied subscription id is accepted', async t => {
  const { m, client, exporter } = setup()
  const id = 'q2Jk0mN5Rj6pXwYhZ1vL8A'
  t.equal(await m.push(push(id, 1), client(), exporter), ErrorCode.UNKNOWN_SUBSCRIPTION_ID)
  t.equal(await m.push(push('ZZJk0mN5Rj6pXwYhZ1vL8A', subscriptionId(new JavaHashSet(), 300000, 'ZZJk0mN5Rj6pXwYhZ1vL8A')), client(), exporter), 0)
})

t.test('expiry after max(60 s, 3 intervals); disconnect and LRU eviction drop instances', async t => {
  const { m, client, advance, configs } = setup({ a: { 'interval.ms': '30000' } }, { cacheMaxSize: 2 })
  const c = client()
  const { clientInstanceId: id } = m.getSubscriptions(ZERO_UUID, c)
  advance(89_999)
  t.equal(m.getSubscriptions(id!, c).errorCode, 0, 'interval passed, still cached')
  t.ok(m.instance(id!))
  advance(90_000)
  m.getSubscriptions(ZERO_UUID, client())
  t.notOk(m.instance(id!), 'expired 3 × 30 s after its last request')
  configs.clear()
  const d = client()
  const { clientInstanceId: other } = m.getSubscriptions(ZERO_UUID, d)
  d.connection.closed = true
  m.getSubscriptions(ZERO_UUID, client())
  t.notOk(m.instance(other!), 'removed once its connection closed')
  m.getSubscriptions(ZERO_UUID, client())
  m.getSubscriptions(ZERO_UUID, client())
  t.equal(m.size, 2, 'least recently used evicted past the cache size')
})
