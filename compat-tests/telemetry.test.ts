// KIP-714 client telemetry against a real samsa process started with --telemetry-dir, driven by two
// independent client codecs: @platformatic/kafka's getTelemetrySubscriptionsV0/pushTelemetryV0 over its
// Connection and kafka-ts's GET_TELEMETRY_SUBSCRIPTIONS/PUSH_TELEMETRY. Each checks the answers and the
// JSON lines the broker wrote for the pushes it accepted.
import t from 'tap'
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Admin, Connection, getTelemetrySubscriptionsV0, pushTelemetryV0 } from '@platformatic/kafka'
import { createKafkaClient, API, KafkaTSApiError } from 'kafka-ts'
import { startBroker, type Teardownable } from './harness.js'
import { compress } from '../src/wire/compression/index.js'
import { metricsData } from '../test/telemetry/otlp-encoder.js'

const PLT_CLIENT = 'samsa-platformatic-telemetry'
const ZERO_HEX = '00000000000000000000000000000000'

function telemetryDir (t: Teardownable): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-telemetry-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** Clients print uuids as hex; samsa names the file after Kafka's base64url form. */
const fileOf = (dir: string, hex: string): string => join(dir, `${Buffer.from(hex.replaceAll('-', ''), 'hex').toString('base64url')}.jsonl`)
const lines = (file: string): any[] => existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map(l => JSON.parse(l)) : []

const payload = metricsData([
  { name: 'org.apache.kafka.producer.record.send.rate', gauge: [{ value: 1.5, attrs: [['client_id', 'x']] }] },
  { name: 'org.apache.kafka.producer.request.total', sum: [{ value: 42n }] }
])
const decoded = [
  { name: 'org.apache.kafka.producer.record.send.rate', type: 'gauge', points: [{ value: 1.5, attributes: { client_id: 'x' }, timeUnixNano: '1700000000000000000' }] },
  { name: 'org.apache.kafka.producer.request.total', type: 'sum', points: [{ value: 42, attributes: {}, timeUnixNano: '1700000000000000000' }] }
]

async function answer<R> (p: Promise<R>): Promise<R> {
  return await p.catch((e: any) => {
    const r = e.response ?? e.errors?.[0]?.response
    if (r === undefined) throw e
    return r
  })
}

t.test('@platformatic/kafka codecs: a matched subscription, a zstd push written, throttling', async t => {
  const dir = telemetryDir(t)
  const broker = await startBroker(t, { args: ['--telemetry-dir', dir] })
  const admin = new Admin({ clientId: 'samsa-platformatic-admin', bootstrapBrokers: [broker.bootstrap], timeout: 10_000, retries: 1 })
  t.teardown(() => admin.close())
  await admin.incrementalAlterConfigs({
    resources: [{ resourceType: 16, resourceName: 'producers', configs: [
      { name: 'metrics', configOperation: 0, value: 'org.apache.kafka.producer.' },
      { name: 'interval.ms', configOperation: 0, value: '200' },
      { name: 'match', configOperation: 0, value: `client_id=${PLT_CLIENT}` }
    ] }]
  })
  const conn = new Connection(PLT_CLIENT)
  await conn.connect(broker.host, broker.port)
  t.teardown(() => { conn.close() })

  const sub = await getTelemetrySubscriptionsV0.api.async(conn, '00000000-0000-0000-0000-000000000000')
  t.not(sub.clientInstanceId.replaceAll('-', ''), ZERO_HEX, 'an instance id was assigned')
  t.same({ ...sub, clientInstanceId: 'id', subscriptionId: 0 }, {
    throttleTimeMs: 0, errorCode: 0, clientInstanceId: 'id', subscriptionId: 0,
    acceptedCompressionTypes: [4, 3, 1, 2], pushIntervalMs: 200, telemetryMaxBytes: 1048576, deltaTemporality: true,
    requestedMetrics: ['org.apache.kafka.producer.']
  })
  const pushed = await pushTelemetryV0.api.async(conn, sub.clientInstanceId, sub.subscriptionId, false, 4, await compress(4, payload))
  t.equal(pushed.errorCode, 0)
  const early = await answer(pushTelemetryV0.api.async(conn, sub.clientInstanceId, sub.subscriptionId, false, 4, await compress(4, payload)))
  t.equal(early.errorCode, 89, 'a second push inside the interval is THROTTLING_QUOTA_EXCEEDED')
  const again = await answer(getTelemetrySubscriptionsV0.api.async(conn, sub.clientInstanceId))
  t.equal(again.errorCode, 89, 'and so is a second GetTelemetrySubscriptions')

  const written = lines(fileOf(dir, sub.clientInstanceId))
  t.equal(written.length, 1)
  t.match(written[0], { clientId: PLT_CLIENT, subscriptionId: sub.subscriptionId, terminating: false })
  t.same(written[0].metrics, decoded)
})

t.test('kafka-ts: defaults without a matching subscription, gzip and terminating pushes, errors', async t => {
  const dir = telemetryDir(t)
  const broker = await startBroker(t, { args: ['--telemetry-dir', dir] })
  const cluster = createKafkaClient({ clientId: 'samsa-kafka-ts', bootstrapServers: [{ host: broker.host, port: broker.port }], requestTimeout: 10_000 }).createCluster()
  await cluster.connect()
  t.teardown(async () => await cluster.disconnect())
  const send = async (api: any, body: unknown): Promise<any> => {
    try {
      return await cluster.sendRequest(api, body as any)
    } catch (e) {
      if (e instanceof KafkaTSApiError) return e.response
      throw e
    }
  }

  const sub = await send(API.GET_TELEMETRY_SUBSCRIPTIONS, { clientInstanceId: ZERO_HEX })
  t.equal(sub.errorCode, 0)
  t.not(sub.clientInstanceId, ZERO_HEX)
  t.same(sub.requestedMetrics, [], 'no subscription: no metrics requested')
  t.equal(sub.pushIntervalMs, 300000)
  t.same(sub.acceptedCompressionTypes, [4, 3, 1, 2])
  const push = (over: Record<string, unknown>): Promise<any> => send(API.PUSH_TELEMETRY, { clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: 1, metrics: payload, ...over })
  t.equal((await push({ metrics: await compress(1, payload) })).errorCode, 0, 'a gzip push right after the subscription is accepted')
  t.equal((await push({ subscriptionId: sub.subscriptionId ^ 1, terminating: true })).errorCode, 117, 'a stale subscription id: UNKNOWN_SUBSCRIPTION_ID')
  t.equal((await push({ compressionType: 0 })).errorCode, 42, 'the refused terminating push still ended the instance: INVALID_REQUEST')
  t.equal((await push({ compressionType: 0, terminating: true })).errorCode, 0, 'the INVALID_REQUEST push cleared terminating; a terminating push is accepted inside the interval')
  t.equal((await send(API.PUSH_TELEMETRY, { clientInstanceId: ZERO_HEX, subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) })).errorCode, 42, 'the zero id is INVALID_REQUEST')

  const written = lines(fileOf(dir, sub.clientInstanceId))
  t.equal(written.length, 2, 'one line per accepted push')
  t.match(written[0], { clientId: 'samsa-kafka-ts', softwareName: 'kafka-ts', subscriptionId: sub.subscriptionId, terminating: false })
  t.same(written[0].metrics, decoded)
  t.equal(written[1].terminating, true)
  t.same(written[1].metrics, decoded)
})
