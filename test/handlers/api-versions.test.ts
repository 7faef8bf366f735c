import t from 'tap'
import { startTestBroker, tempDir } from '../helpers/broker.js'
import { API } from '../helpers/kafka.js'
import { METADATA_VERSION_LEVEL, METADATA_VERSION_MIN } from '../../src/broker/features.js'

const EXPECTED = [
  { apiKey: 0, minVersion: 0, maxVersion: 13 },
  { apiKey: 1, minVersion: 4, maxVersion: 18 },
  { apiKey: 2, minVersion: 1, maxVersion: 11 },
  { apiKey: 3, minVersion: 0, maxVersion: 13 },
  { apiKey: 8, minVersion: 2, maxVersion: 10 },
  { apiKey: 9, minVersion: 1, maxVersion: 10 },
  { apiKey: 10, minVersion: 0, maxVersion: 6 },
  { apiKey: 11, minVersion: 0, maxVersion: 9 },
  { apiKey: 12, minVersion: 0, maxVersion: 4 },
  { apiKey: 13, minVersion: 0, maxVersion: 5 },
  { apiKey: 14, minVersion: 0, maxVersion: 5 },
  { apiKey: 15, minVersion: 0, maxVersion: 6 },
  { apiKey: 16, minVersion: 0, maxVersion: 5 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
  { apiKey: 19, minVersion: 2, maxVersion: 7 },
  { apiKey: 20, minVersion: 1, maxVersion: 6 },
  { apiKey: 21, minVersion: 0, maxVersion: 2 },
  { apiKey: 22, minVersion: 0, maxVersion: 5 },
  { apiKey: 23, minVersion: 2, maxVersion: 4 },
  { apiKey: 24, minVersion: 0, maxVersion: 5 },
  { apiKey: 25, minVersion: 0, maxVersion: 4 },
  { apiKey: 26, minVersion: 0, maxVersion: 5 },
  { apiKey: 28, minVersion: 0, maxVersion: 5 },
  { apiKey: 32, minVersion: 1, maxVersion: 4 },
  { apiKey: 33, minVersion: 0, maxVersion: 2 },
  { apiKey: 34, minVersion: 1, maxVersion: 2 },
  { apiKey: 35, minVersion: 1, maxVersion: 5 },
  { apiKey: 37, minVersion: 0, maxVersion: 3 },
  { apiKey: 42, minVersion: 0, maxVersion: 2 },
  { apiKey: 43, minVersion: 0, maxVersion: 2 },
  { apiKey: 44, minVersion: 0, maxVersion: 1 },
  { apiKey: 45, minVersion: 0, maxVersion: 1 },
  { apiKey: 46, minVersion: 0, maxVersion: 0 },
  { apiKey: 47, minVersion: 0, maxVersion: 0 },
  { apiKey: 48, minVersion: 0, maxVersion: 1 },
  { apiKey: 49, minVersion: 0, maxVersion: 1 },
  { apiKey: 55, minVersion: 0, maxVersion: 2 },
  { apiKey: 57, minVersion: 0, maxVersion: 2 },
  { apiKey: 60, minVersion: 0, maxVersion: 2 },
  { apiKey: 61, minVersion: 0, maxVersion: 0 },
  { apiKey: 64, minVersion: 0, maxVersion: 0 },
  { apiKey: 65, minVersion: 0, maxVersion: 0 },
  { apiKey: 66, minVersion: 0, maxVersion: 2 },
  { apiKey: 68, minVersion: 0, maxVersion: 1 },
  { apiKey: 69, minVersion: 0, maxVersion: 1 },
  { apiKey: 74, minVersion: 0, maxVersion: 1 },
  { apiKey: 75, minVersion: 0, maxVersion: 0 }
]

const sw = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0.0' }

t.test('every version 0..4 answers with exactly the registered handlers', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (let v = 0; v <= 4; v++) {
    const res = await c.request(API.ApiVersions, v, sw)
    t.equal(res.errorCode, 0, `v${v} error code`)
    t.same([...res.apiKeys].sort((a: any, b: any) => a.apiKey - b.apiKey), EXPECTED, `v${v} api keys`)
    t.equal(res.throttleTimeMs, 0)
  }
})

t.test('the KIP-714 APIs are added only by samsa.telemetry.dir; the default set stays as above', async t => {
  const plain = await startTestBroker(t)
  const keys = (await (await plain.client()).request(API.ApiVersions, 3, sw)).apiKeys.map((k: any) => k.apiKey)
  t.notOk(keys.includes(71) || keys.includes(72), 'no telemetry receiver, no GetTelemetrySubscriptions/PushTelemetry (as stock Kafka)')
  const dir = tempDir(t)
  const b = await startTestBroker(t, { config: { 'samsa.telemetry.dir': dir } })
  const res = await (await b.client()).request(API.ApiVersions, 3, sw)
  const withTelemetry = [...EXPECTED, { apiKey: 71, minVersion: 0, maxVersion: 0 }, { apiKey: 72, minVersion: 0, maxVersion: 0 }].sort((a, b) => a.apiKey - b.apiKey)
  t.same([...res.apiKeys].sort((a: any, b: any) => a.apiKey - b.apiKey), withTelemetry)
})

t.test('v3+ reports metadata.version as supported and finalized', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const v of [3, 4]) {
    const res = await c.request(API.ApiVersions, v, sw)
    const supported = res.supportedFeatures.find((f: any) => f.name === 'metadata.version')
    t.same(supported, { name: 'metadata.version', minVersion: METADATA_VERSION_MIN, maxVersion: METADATA_VERSION_LEVEL })
    const finalized = res.finalizedFeatures.find((f: any) => f.name === 'metadata.version')
    t.same(finalized, { name: 'metadata.version', minVersionLevel: METADATA_VERSION_LEVEL, maxVersionLevel: METADATA_VERSION_LEVEL })
    t.ok(res.finalizedFeaturesEpoch >= 0n, 'finalized features epoch is a metadata log offset')
    t.same(res.supportedFeatures.find((f: any) => f.name === 'group.version'), { name: 'group.version', minVersion: 0, maxVersion: 1 })
    t.same(res.finalizedFeatures.find((f: any) => f.name === 'group.version'), { name: 'group.version', minVersionLevel: 1, maxVersionLevel: 1 })
    t.same(res.supportedFeatures.find((f: any) => f.name === 'transaction.version'), { name: 'transaction.version', minVersion: 0, maxVersion: 2 })
    t.same(res.finalizedFeatures.find((f: any) => f.name === 'transaction.version'), { name: 'transaction.version', minVersionLevel: 2, maxVersionLevel: 2 })
  }
})

t.test('v3+ with an invalid client software name or version is INVALID_REQUEST', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const bad of [{ clientSoftwareName: 'bad name!', clientSoftwareVersion: '1' }, { clientSoftwareName: 'ok', clientSoftwareVersion: '-1' }, { clientSoftwareName: '', clientSoftwareVersion: '1' }]) {
    const res = await c.request(API.ApiVersions, 3, bad)
    t.equal(res.errorCode, 42, JSON.stringify(bad))
  }
  // Dots, dashes and alphanumerics inside are fine (librdkafka sends "librdkafka" / "2.3.0").
  const res = await c.request(API.ApiVersions, 4, { clientSoftwareName: 'apache-kafka.java', clientSoftwareVersion: '4.3.1' })
  t.equal(res.errorCode, 0)
  t.notOk(c.isClosed)
})
