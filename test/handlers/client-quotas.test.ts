import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, batch, produceBody, fetchBody, API } from '../helpers/kafka.js'
import type { RawClient } from '../helpers/raw-client.js'

const DESCRIBE = 48
const ALTER = 49

const ent = (pairs: [string, string | null][]): any[] => pairs.map(([entityType, entityName]) => ({ entityType, entityName }))
const alter = async (c: RawClient, entries: any[], validateOnly = false, v = 1): Promise<any[]> => (await c.request(ALTER, v, { entries, validateOnly })).entries
const describe = async (c: RawClient, components: any[], strict = false, v = 1): Promise<any> => await c.request(DESCRIBE, v, { components, strict })
const sortEntries = (entries: any[]): any[] => entries.map(e => ({ entity: e.entity, values: [...e.values].sort((a: any, b: any) => a.key < b.key ? -1 : 1) }))
  .sort((a, b) => JSON.stringify(a.entity) < JSON.stringify(b.entity) ? -1 : 1)

t.test('AlterClientQuotas validates like Kafka and DescribeClientQuotas filters', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  for (const v of [0, 1]) {
    const res = await alter(c, [
      { entity: ent([]), ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
      { entity: ent([['group', 'g']]), ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
      { entity: ent([['user', '']]), ops: [{ key: 'producer_byte_rate', value: 10, remove: false }] },
      { entity: ent([['ip', '1.2.3.4'], ['user', 'u']]), ops: [{ key: 'connection_creation_rate', value: 10, remove: false }] },
      { entity: ent([['client-id', 'c1']]), ops: [{ key: 'connection_creation_rate', value: 10, remove: false }] },
      { entity: ent([['client-id', 'c2']]), ops: [{ key: 'producer_byte_rate', value: 0, remove: false }] },
      { entity: ent([['client-id', 'c3']]), ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
      { entity: ent([['ip', '10.0.0.1']]), ops: [{ key: 'connection_creation_rate', value: 3e9, remove: false }] },
      { entity: ent([['ip', 'no-such-host.invalid']]), ops: [{ key: 'connection_creation_rate', value: 3, remove: false }] }
    ], true, v)
    t.same(res.map(r => [r.errorCode, r.errorMessage]), [
      [42, 'Invalid empty client quota entity'],
      [42, 'Unhandled client quota entity type: group'],
      [42, 'Empty user not supported'],
      [42, 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId'],
      [42, 'Invalid configuration key connection_creation_rate'],
      [42, 'Quota producer_byte_rate must be greater than 0'],
      [42, 'producer_byte_rate cannot be a fractional value.'],
      [42, 'Proposed value for connection_creation_rate is too large for an INT.'],
      [42, 'no-such-host.invalid is not a valid IP or resolvable host.']
    ], `v${v}`)
  }
  const dup = await alter(c, [{ entity: ent([['client-id', 'd']]), ops: [{ key: 'producer_byte_rate', value: 1, remove: false }, { key: 'producer_byte_rate', value: 2, remove: false }] }])
  t.same([dup.length, dup[0].errorCode, dup[0].errorMessage], [1, 42, 'Ignoring duplicate entity ClientQuotaEntity(entries={client-id=d})'])

  const ok = await alter(c, [
    { entity: ent([['user', 'alice'], ['client-id', 'app']]), ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }, { key: 'request_percentage', value: 12.5, remove: false }] },
    { entity: ent([['user', null]]), ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }] },
    { entity: ent([['client-id', 'app']]), ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }] },
    { entity: ent([['ip', '10.0.0.1']]), ops: [{ key: 'connection_creation_rate', value: 5, remove: false }] },
    { entity: ent([['ip', null]]), ops: [{ key: 'connection_creation_rate', value: 50, remove: false }] }
  ])
  t.same(ok.map(r => r.errorCode), [0, 0, 0, 0, 0])
  t.same(ok[0].entity, ent([['user', 'alice'], ['client-id', 'app']]), 'entities echoed')
  t.equal((await alter(c, [{ entity: ent([['client-id', 'vo']]), ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] }], true))[0].errorCode, 0)

  const all = await describe(c, [])
  t.same([all.errorCode, all.errorMessage], [0, null])
  t.same(sortEntries(all.entries), sortEntries([
    { entity: ent([['client-id', 'app']]), values: [{ key: 'producer_byte_rate', value: 4096 }] },
    { entity: ent([['client-id', 'app'], ['user', 'alice']]), values: [{ key: 'producer_byte_rate', value: 1024 }, { key: 'request_percentage', value: 12.5 }] },
    { entity: ent([['ip', null]]), values: [{ key: 'connection_creation_rate', value: 50 }] },
    { entity: ent([['ip', '10.0.0.1']]), values: [{ key: 'connection_creation_rate', value: 5 }] },
    { entity: ent([['user', null]]), values: [{ key: 'consumer_byte_rate', value: 2048 }] }
  ]), 'validateOnly stored nothing; everything else is there')
  const users = await describe(c, [{ entityType: 'user', matchType: 2, match: null }])
  t.equal(users.entries.length, 2, 'specified user matches alice+app and the default user')
  const strictUsers = await describe(c, [{ entityType: 'user', matchType: 2, match: null }], true)
  t.same(strictUsers.entries.map((e: any) => e.entity), [ent([['user', null]])])
  const exact = await describe(c, [{ entityType: 'client-id', matchType: 0, match: 'app' }], true)
  t.same(exact.entries.map((e: any) => e.values), [[{ key: 'producer_byte_rate', value: 4096 }]])
  const defIp = await describe(c, [{ entityType: 'ip', matchType: 1, match: null }])
  t.same(defIp.entries.map((e: any) => e.entity), [ent([['ip', null]])])
  const strictIps = await describe(c, [{ entityType: 'ip', matchType: 2, match: null }], true)
  t.same(strictIps.entries.map((e: any) => e.entity[0].entityName).sort(), ['10.0.0.1', null].sort(), 'strict SPECIFIED ip: the named and the default ip entity')
  t.same((await describe(c, [], true)).entries, [], 'strict with no components matches nothing')
  t.same((await describe(c, [{ entityType: 'user', matchType: 0, match: 'alice' }], true)).entries, [], 'strict exact user: alice has quotas only together with a client-id')
  t.equal((await describe(c, [{ entityType: 'user', matchType: 0, match: 'alice' }, { entityType: 'client-id', matchType: 2, match: null }], true)).entries.length, 1, 'exact user with SPECIFIED client-id')

  for (const [components, code, message] of [
    [[{ entityType: '', matchType: 2, match: null }], 42, 'Invalid empty entity type.'],
    [[{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 1, match: null }], 42, 'Entity type user cannot appear more than once in the filter.'],
    [[{ entityType: 'group', matchType: 2, match: null }], 35, 'Unsupported entity type group'],
    [[{ entityType: 'user', matchType: 0, match: null }], 42, 'Request specified MATCH_TYPE_EXACT, but set match string to null.'],
    [[{ entityType: 'user', matchType: 1, match: 'x' }], 42, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.'],
    [[{ entityType: 'user', matchType: 7, match: null }], 42, 'Unknown match type 7'],
    [[{ entityType: 'user', matchType: 1, match: null }, { entityType: 'user', matchType: 1, match: null }], 42, 'Entity type user cannot appear more than once in the filter.'],
    [[{ entityType: 'user', matchType: 2, match: 'x' }], 42, 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.'],
    [[{ entityType: 'ip', matchType: 1, match: null }, { entityType: 'client-id', matchType: 0, match: 'app' }], 42, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.'],
    [[{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 2, match: null }], 42, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.']
  ] as const) {
    const res = await describe(c, components as any)
    t.same([res.errorCode, res.errorMessage, res.entries], [code, message, null], message)
  }

  const removed = await alter(c, [{ entity: ent([['client-id', 'app']]), ops: [{ key: 'producer_byte_rate', value: 0, remove: true }] }])
  t.equal(removed[0].errorCode, 0, 'a removal needs no valid value')
  await b.stop()
  const again = await startTestBroker(t, { dir: b.dir })
  const c2 = await again.client()
  const after = await describe(c2, [{ entityType: 'client-id', matchType: 2, match: null }], true)
  t.same(after.entries, [], 'the removed quota stays removed after a restart; an entity without quotas is not listed')
  t.equal((await describe(c2, [])).entries.length, 4, 'the rest survived the restart')
})

async function timed<T> (f: () => Promise<T>): Promise<[T, number]> {
  const start = Date.now()
  const out = await f()
  return [out, Date.now() - start]
}

t.test('producer_byte_rate throttles: throttle time in the response, connection muted (v6+) or response held (v5)', async t => {
  // Two one-second samples: the rate window is at least 1 s, so throttle times stay short.
  const b = await startTestBroker(t, { config: { 'quota.window.num': '2' } })
  const c = await b.client()
  await createTopic(c, { name: 'q', numPartitions: 1 })
  const big = await batch([{ key: null, value: Buffer.alloc(15000, 1), headers: [] }])
  const free = await c.request(API.Produce, 11, produceBody([{ topic: 'q', records: big }]))
  t.equal(free.throttleTimeMs, 0, 'no quota, no throttle')

  await alter(c, [{ entity: ent([['client-id', 'samsa-test']]), ops: [{ key: 'producer_byte_rate', value: 10000, remove: false }] }])
  await new Promise(resolve => setTimeout(resolve, 2100))
  const first = await c.request(API.Produce, 11, produceBody([{ topic: 'q', records: big }]))
  t.equal(first.responses[0].partitionResponses[0].errorCode, 0, 'the data is still written')
  t.ok(first.throttleTimeMs >= 400 && first.throttleTimeMs <= 700, `throttle time ${first.throttleTimeMs} ms is (rate - quota) / quota * window`)
  const [next, waited] = await timed(() => c.request(API.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }))
  t.equal(next.errorCode, 0)
  t.ok(waited >= first.throttleTimeMs - 50, `the muted connection answered the next request after ${waited} ms`)

  const other = await b.client()
  const [unquotad, fast] = await timed(async () => await other.response(other.send(API.Produce, 11, produceBody([{ topic: 'q', records: big }]), { clientId: 'someone-else' }), API.Produce, 11))
  t.equal(unquotad.throttleTimeMs, 0, 'other client ids are not throttled')
  t.ok(fast < 300)

  const [old, held] = await timed(() => c.request(API.Produce, 5, produceBody([{ topic: 'q', records: big }])))
  t.ok(old.throttleTimeMs > 0, 'v5 reports the throttle time too')
  t.ok(held >= old.throttleTimeMs - 50, `v5 response held for ${held} ms (client does not throttle itself)`)
})

t.test('consumer_byte_rate throttles fetches: empty answer with the throttle time', async t => {
  const b = await startTestBroker(t, { config: { 'quota.window.num': '2' } })
  const c = await b.client()
  await createTopic(c, { name: 'f', numPartitions: 1 })
  const big = await batch([{ key: null, value: Buffer.alloc(15000, 2), headers: [] }])
  for (let i = 0; i < 3; i++) await c.request(API.Produce, 11, produceBody([{ topic: 'f', records: big }]))
  await alter(c, [{ entity: ent([['user', null], ['client-id', null]]), ops: [{ key: 'consumer_byte_rate', value: 20000, remove: false }] }])
  const body = fetchBody([{ topic: 'f', partition: 0, offset: 0n }], { maxBytes: 1 << 20, maxWaitMs: 0 })
  const first = await c.request(API.Fetch, 12, body)
  const bytes = first.responses[0].partitions[0].records.length
  t.ok(bytes > 15000 && bytes <= 20000, `the fetch is capped at the quota window (${bytes} bytes of 45000; 20000 B/s x 1 s)`)
  t.equal(first.throttleTimeMs, 0, 'within the first window')
  const second = await c.request(API.Fetch, 12, fetchBody([{ topic: 'f', partition: 0, offset: 1n }], { maxBytes: 1 << 20, maxWaitMs: 0 }))
  t.ok(second.throttleTimeMs > 0, `throttled: ${second.throttleTimeMs} ms`)
  t.same(second.responses, [], 'a throttled fetch carries no data')
  const [, waited] = await timed(() => c.request(API.ApiVersions, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }))
  t.ok(waited >= second.throttleTimeMs - 50, `connection muted for ${waited} ms`)
})
