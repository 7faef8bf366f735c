import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { API } from '../helpers/kafka.js'
import { ConnectionClosedError, encodeRequest, frame } from '../helpers/raw-client.js'
import { Reader } from '../../src/wire/reader.js'
import { decodeApiVersionsResponse } from '../../src/wire/generated/api-versions.js'
import { EMULATED_RELEASES, releaseApiVersions } from '../../src/broker/version-emulation.js'
import { createRegistry } from '../../src/handlers/index.js'
import { BrokerConfig } from '../../src/config/broker-config.js'

const sw = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0.0' }

t.test('releases 2.8 to 4.3 have tables; ranges match Kafka\'s published ones', async t => {
  t.same(EMULATED_RELEASES, ['2.8', '3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7', '3.8', '3.9', '4.0', '4.1', '4.2', '4.3'])
  t.same(releaseApiVersions('2.8')!.get(0), { minVersion: 0, maxVersion: 9 }, '2.8 Produce 0-9')
  t.same(releaseApiVersions('3.9')!.get(1), { minVersion: 0, maxVersion: 17 }, '3.9 Fetch 0-17')
  t.same(releaseApiVersions('4.0')!.get(1), { minVersion: 4, maxVersion: 17 }, '4.0 Fetch 4-17 (KIP-896)')
  t.equal(releaseApiVersions('3.6')!.get(68), undefined, 'no ConsumerGroupHeartbeat before 3.7')
  t.same(releaseApiVersions('4.3')!.get(35), { minVersion: 1, maxVersion: 5 })
  t.throws(() => new BrokerConfig(new Map([['samsa.kafka.version', '2.7']])), /samsa.kafka.version/)
})

t.test('4.3 emulation leaves samsa\'s registry as it is', async t => {
  const full = createRegistry().advertised()
  const r = createRegistry()
  r.restrict(releaseApiVersions('4.3')!)
  t.same(r.advertised(), full)
})

t.test('--kafka-version 2.8: ApiVersions clamps, newer versions and APIs are refused', async t => {
  const b = await startTestBroker(t, { config: { 'samsa.kafka.version': '2.8' } })
  const c = await b.client()
  const res = await c.request(API.ApiVersions, 3, sw)
  t.equal(res.errorCode, 0)
  const byKey = new Map(res.apiKeys.map((k: any) => [k.apiKey, [k.minVersion, k.maxVersion]]))
  t.same(byKey.get(0), [0, 9], 'Produce up to v9, still advertised from 0')
  t.same(byKey.get(1), [4, 12], 'Fetch from samsa\'s v4 up to 2.8\'s v12')
  t.same(byKey.get(3), [0, 11], 'Metadata up to 11')
  t.same(byKey.get(18), [0, 3], 'ApiVersions up to 3')
  t.equal(byKey.get(68), undefined, 'no KIP-848 heartbeat in 2.8')
  t.equal(byKey.get(75), undefined, 'no DescribeTopicPartitions in 2.8')
  t.equal(byKey.get(55), undefined, 'a ZooKeeper broker did not serve DescribeQuorum')
  for (const [key, [min, max]] of byKey as Map<number, [number, number]>) {
    const r = releaseApiVersions('2.8')!.get(key)!
    t.ok(min >= r.minVersion && max <= r.maxVersion, `api ${key} within 2.8's range`)
  }

  c.writeRaw(frame(encodeRequest(API.ApiVersions, 4, 77, sw)))
  await new Promise(resolve => setTimeout(resolve, 200))
  const r = new Reader(c.unmatched[0]!)
  t.equal(r.int32(), 77)
  const v4 = decodeApiVersionsResponse(r, 0)
  t.same([v4.errorCode, v4.apiKeys], [35, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]], 'ApiVersions v4 answered at v0 with the emulated range')
  const meta = await c.request(API.Metadata, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }).catch(e => e)
  t.ok(meta instanceof ConnectionClosedError, 'Metadata v12 (3.1+) closes the connection as an unsupported version')
  const c2 = await b.client()
  const ok = await c2.request(API.Metadata, 11, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false })
  t.ok(Array.isArray(ok.brokers) && ok.brokers.length === 1, 'Metadata v11 is served')
})
