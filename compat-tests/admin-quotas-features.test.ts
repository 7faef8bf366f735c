// Client quotas, feature updates and partition admin through real clients against a real samsa:
// @platformatic/kafka's Admin (describe/alter client quotas) and its UpdateFeatures and ApiVersions codecs,
// kafkajs's partition reassignment calls, and a kafkajs producer slowed down by a producer_byte_rate quota.
import t from 'tap'
import { Admin, Connection, updateFeaturesV1 } from '@platformatic/kafka'
import { startBroker } from './harness.js'
import { makeKafka } from './kafkajs-client.js'
import { uniqueTopic } from './records.js'

const base = { clientId: 'samsa-compat', timeout: 10_000, retries: 1, retryDelay: 100 }

t.test('@platformatic/kafka Admin: alter and describe client quotas, persisted across a restart', async t => {
  const broker = await startBroker(t)
  let admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  const altered = await admin.alterClientQuotas({
    entries: [
      { entities: [{ entityType: 'client-id', entityName: 'app-1' }], ops: [{ key: 'producer_byte_rate', value: 1048576, remove: false }, { key: 'consumer_byte_rate', value: 2097152, remove: false }] },
      { entities: [{ entityType: 'user', entityName: null }], ops: [{ key: 'request_percentage', value: 25.5, remove: false }] },
      { entities: [{ entityType: 'client-id', entityName: 'bad' }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] }
    ]
  }).catch((e: any) => e)
  // the client reports a failed entry as an error carrying the response
  const entries = Array.isArray(altered) ? altered : (altered.response?.entries ?? altered.errors?.[0]?.response?.entries)
  t.ok(Array.isArray(entries), 'alterClientQuotas answered')
  const byName = new Map<string | null, any>(entries.map((e: any) => [e.entity[0].entityName, e]))
  t.equal(byName.get('app-1').errorCode, 0)
  t.equal(byName.get(null).errorCode, 0)
  t.same([byName.get('bad').errorCode, byName.get('bad').errorMessage], [42, 'producer_byte_rate cannot be a fractional value.'])

  const described = await admin.describeClientQuotas({ components: [{ entityType: 'client-id', matchType: 0, match: 'app-1' }] })
  t.same(described.map((e: any) => [e.entity, [...e.values].sort((a: any, b: any) => a.key < b.key ? -1 : 1)]), [[
    [{ entityType: 'client-id', entityName: 'app-1' }],
    [{ key: 'consumer_byte_rate', value: 2097152 }, { key: 'producer_byte_rate', value: 1048576 }]
  ]])
  await admin.close()
  await broker.restart()
  admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => admin.close())
  const defaults = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 1 }] })
  t.same(defaults.map((e: any) => [e.entity, e.values]), [[[{ entityType: 'user', entityName: null }], [{ key: 'request_percentage', value: 25.5 }]]], 'the default-user quota survived the restart')
})

t.test('@platformatic/kafka UpdateFeatures v1 codec: validateOnly, refusals, a persisted downgrade and upgrade', async t => {
  const broker = await startBroker(t)
  const connect = async (): Promise<Connection> => {
    const conn = new Connection('samsa-compat')
    await conn.connect(broker.host, broker.port)
    return conn
  }
  const update = async (conn: Connection, feature: string, level: number, upgradeType: number, validateOnly = false): Promise<any> =>
    await updateFeaturesV1.api.async(conn, 5000, [{ feature, maxVersionLevel: level, upgradeType }], validateOnly).catch((e: any) => e.response ?? e)
  let conn = await connect()
  // A plain upgrade-type request to level 0 is refused while group.version is 1 and accepted once it is 0:
  // that is how the finalized level is observed through this client.
  const DOWN_REFUSED = "Invalid update version 0 for feature group.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade."
  t.same([(await update(conn, 'group.version', 0, 1)).errorMessage], [DOWN_REFUSED])
  const dry = await update(conn, 'group.version', 0, 2, true)
  t.same([dry.errorCode, dry.results], [0, [{ feature: 'group.version', errorCode: 0, errorMessage: null }]])
  t.same([(await update(conn, 'group.version', 0, 1)).errorMessage], [DOWN_REFUSED], 'validateOnly changed nothing')
  const refused = await update(conn, 'metadata.version', 29, 2)
  t.same([refused.errorCode, refused.errorMessage], [95, 'Invalid metadata.version 29. Refusing to perform the requested downgrade because it might delete metadata information.'])
  const tooNew = await update(conn, 'metadata.version', 31, 1)
  t.same([tooNew.errorCode, tooNew.errorMessage], [95, 'Invalid update version 31 for feature metadata.version. Local controller 1 only supports versions 7-30'])
  t.equal((await update(conn, 'group.version', 0, 2)).errorCode, 0, 'safe downgrade of group.version to 0')
  conn.close()
  await broker.restart()
  conn = await connect()
  t.teardown(() => conn.close())
  t.equal((await update(conn, 'group.version', 0, 1)).errorCode, 0, 'after a restart group.version is still 0')
  t.equal((await update(conn, 'group.version', 1, 1)).errorCode, 0)
  t.same([(await update(conn, 'group.version', 0, 1)).errorMessage], [DOWN_REFUSED], 'back at 1')
})

t.test('kafkajs admin: partition reassignments on one broker', async t => {
  const broker = await startBroker(t)
  const kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const topic = uniqueTopic('kjs-reassign')
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
  await admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [1] }] }] })
  await t.rejects(admin.alterPartitionReassignments({ topics: [{ topic, partitionAssignment: [{ partition: 1, replicas: [7] }] }] }), /reassign/i)
  const listed = await admin.listPartitionReassignments({ topics: [{ topic, partitions: [0, 1] }] })
  t.same(listed.topics, [], 'nothing in progress: the same-replica reassignment completed at once')
})

t.test('producer_byte_rate slows a real kafkajs producer; another client id runs free', async t => {
  // Two one-second quota samples keep throttle times around half a second.
  const broker = await startBroker(t, { args: ['--override', 'quota.window.num=2'] })
  const admin = new Admin({ ...base, bootstrapBrokers: [broker.bootstrap] })
  t.teardown(() => admin.close())
  const res = await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: 'slow-producer' }], ops: [{ key: 'producer_byte_rate', value: 20000, remove: false }] }] })
  t.equal(res[0]!.errorCode, 0)
  const topic = uniqueTopic('kjs-quota')
  const send = async (clientId: string): Promise<number> => {
    const kafka = makeKafka(broker.bootstrap, { clientId })
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    try {
      await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] })
      const start = Date.now()
      for (let i = 0; i < 5; i++) await producer.send({ topic, acks: -1, messages: [{ value: Buffer.alloc(30000, i) }] })
      return Date.now() - start
    } finally {
      await producer.disconnect()
    }
  }
  const free = await send('fast-producer')
  const slow = await send('slow-producer')
  t.ok(free < 1000, `unquota'd: 150 KB in ${free} ms`)
  t.ok(slow >= 1500, `quota'd at 20 KB/s: 150 KB in ${slow} ms`)
})
