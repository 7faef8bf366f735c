import t from 'tap'
import { resolve } from 'node:path'
import { startTestBroker } from '../helpers/broker.js'
import { createTopic, API } from '../helpers/kafka.js'

const ELECT = 43
const ALTER_REASSIGN = 45
const LIST_REASSIGN = 46
const ALTER_LOG_DIRS = 34
const UPDATE_FEATURES = 57
const UNREGISTER = 64
const sw = { clientSoftwareName: 'samsa-test', clientSoftwareVersion: '1.0.0' }

t.test('ElectLeaders: election not needed, unknown partitions, null = all, bad type', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'e', numPartitions: 2 })
  for (let v = 0; v <= 2; v++) {
    for (const type of v === 0 ? [0] : [0, 1]) {
      const res = await c.request(ELECT, v, { electionType: type, topicPartitions: [{ topic: 'e', partitions: [0, 5] }, { topic: 'nope', partitions: [0] }], timeoutMs: 1000 })
      t.equal(res.errorCode ?? 0, 0)
      t.same(res.replicaElectionResults.map((r: any) => [r.topic, r.partitionResult.map((p: any) => [p.partitionId, p.errorCode, p.errorMessage])]), [
        ['e', [[0, 84, 'Leader election not needed for topic partition.'], [5, 3, 'No such partition as e-5']]],
        ['nope', [[0, 3, 'No such topic as nope']]]
      ], `v${v} type ${type}`)
    }
  }
  const all = await c.request(ELECT, 2, { electionType: 0, topicPartitions: null, timeoutMs: 1000 })
  t.same(all.replicaElectionResults.find((r: any) => r.topic === 'e'), { topic: 'e', partitionResult: [] }, 'partitions needing no election are left out')
  const bad = await c.request(ELECT, 1, { electionType: 7, topicPartitions: [{ topic: 'e', partitions: [0] }], timeoutMs: 1000 })
  t.equal(bad.errorCode, 42)
})

t.test('AlterPartitionReassignments and ListPartitionReassignments', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'r', numPartitions: 1 })
  const alter = async (v: number, partitions: any[], allow = true, name = 'r'): Promise<any> =>
    await c.request(ALTER_REASSIGN, v, { timeoutMs: 1000, allowReplicationFactorChange: allow, topics: [{ name, partitions }] })
  for (const v of [0, 1]) {
    const res = await alter(v, [{ partitionIndex: 0, replicas: [1] }, { partitionIndex: 0, replicas: null }, { partitionIndex: 0, replicas: [] },
      { partitionIndex: 0, replicas: [2] }, { partitionIndex: 0, replicas: [1, 1] }, { partitionIndex: 3, replicas: [1] }])
    t.equal(res.errorCode, 0)
    t.same(res.responses[0].partitions.map((p: any) => [p.errorCode, p.errorMessage]), [
      [0, null],
      [85, 'No partition reassignment is in progress.'],
      [39, 'The manual partition assignment includes an empty replica list.'],
      [39, 'The manual partition assignment includes broker 2, but no such broker is registered.'],
      [39, 'The manual partition assignment includes the broker 1 more than once.'],
      [3, 'Unable to find partition r:3.']
    ], `v${v}`)
  }
  const unknown = await alter(1, [{ partitionIndex: 0, replicas: [1] }], true, 'zz')
  t.same([unknown.responses[0].partitions[0].errorCode, unknown.responses[0].partitions[0].errorMessage], [3, 'Unable to find a topic named zz.'])
  const v1 = await alter(1, [{ partitionIndex: 0, replicas: [1] }], false)
  t.same([v1.allowReplicationFactorChange, v1.responses[0].partitions[0].errorCode], [false, 0])
  for (const topics of [null, [{ name: 'r', partitionIndexes: [0] }], [{ name: 'zz', partitionIndexes: [0] }]]) {
    const list = await c.request(LIST_REASSIGN, 0, { timeoutMs: 1000, topics })
    t.same([list.errorCode, list.errorMessage, list.topics], [0, null, []])
  }
})

t.test('AlterReplicaLogDirs: same dir is a no-op success, others LOG_DIR_NOT_FOUND, unknown partitions UNKNOWN_TOPIC_OR_PARTITION', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  await createTopic(c, { name: 'd', numPartitions: 1 })
  const dir = resolve(b.dir)
  for (const v of [1, 2]) {
    const res = await c.request(ALTER_LOG_DIRS, v, {
      dirs: [
        { path: dir, topics: [{ name: 'd', partitions: [0, 9, -1] }, { name: 'x'.repeat(250), partitions: [0] }, { name: 'nope', partitions: [0] }] },
        { path: '/elsewhere', topics: [{ name: 'd', partitions: [1] }, { name: 'x'.repeat(250), partitions: [1] }] },
        { path: `${dir}/`, topics: [{ name: 'nope', partitions: [1] }] }
      ]
    })
    const flat = res.results.flatMap((r: any) => r.partitions.map((p: any) => [r.topicName.slice(0, 5), p.partitionIndex, p.errorCode]))
    t.same(flat, [['d', 0, 0], ['d', 9, 3], ['d', -1, 3], ['d', 1, 57], ['xxxxx', 0, 17], ['xxxxx', 1, 17], ['nope', 0, 3], ['nope', 1, 57]], `v${v}`)
  }
  // 205 'é' are 410 UTF-8 bytes but 205 UTF-16 units: the future dir name (205 + 2 + 40) stays under 255.
  const wide = await c.request(ALTER_LOG_DIRS, 2, { dirs: [{ path: dir, topics: [{ name: 'é'.repeat(205), partitions: [0] }] }] })
  t.equal(wide.results[0].partitions[0].errorCode, 3, 'the name length is counted as Java counts it')
})

t.test('UpdateFeatures: validation, validateOnly, persisted levels', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const update = async (v: number, featureUpdates: any[], validateOnly = false): Promise<any> =>
    await c.request(UPDATE_FEATURES, v, { timeoutMs: 1000, validateOnly, featureUpdates: featureUpdates.map(u => ({ allowDowngrade: false, upgradeType: 1, ...u })) })
  const finalized = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await c.request(API.ApiVersions, 3, sw)).finalizedFeatures.map((f: any) => [f.feature ?? f.name, f.maxVersionLevel]))

  const tooNew = await update(1, [{ feature: 'metadata.version', maxVersionLevel: 99 }])
  t.same([tooNew.errorCode, tooNew.errorMessage], [95, 'Invalid update version 99 for feature metadata.version. Local controller 1 only supports versions 7-30'])
  t.same(tooNew.results, [{ feature: 'metadata.version', errorCode: 95, errorMessage: tooNew.errorMessage }])
  const down = await update(2, [{ feature: 'metadata.version', maxVersionLevel: 29 }])
  t.same([down.errorCode, down.errorMessage, down.results], [95, "Invalid update version 29 for feature metadata.version. Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.", []])
  const safe = await update(2, [{ feature: 'metadata.version', maxVersionLevel: 29, upgradeType: 2 }])
  t.same([safe.errorCode, safe.errorMessage], [95, 'Invalid metadata.version 29. Refusing to perform the requested downgrade because it might delete metadata information.'])
  const unsafe = await update(2, [{ feature: 'metadata.version', maxVersionLevel: 29, upgradeType: 3 }])
  t.same(unsafe.errorMessage, 'Invalid metadata.version 29. Unsafe metadata downgrade is not supported in this version.')
  const unknownType = await update(1, [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 9 }])
  t.same(unknownType.errorMessage, 'Invalid update version 0 for feature group.version. The controller does not support the given upgrade type.')
  const unsupported = await update(1, [{ feature: 'share.version', maxVersionLevel: 1 }])
  t.same(unsupported.errorMessage, 'Invalid update version 1 for feature share.version. Local controller 1 does not support this feature.')
  const newer = await update(1, [{ feature: 'metadata.version', maxVersionLevel: 30, upgradeType: 2 }, { feature: 'share.version', maxVersionLevel: 1 }])
  t.equal(newer.errorCode, 95, 'one bad update fails them all')
  t.same(newer.results.map((r: any) => r.errorCode), [95, 95])

  t.equal((await update(1, [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }], true)).errorCode, 0)
  t.equal((await finalized())['group.version'], 1, 'validateOnly changes nothing')
  const v0 = await update(0, [{ feature: 'group.version', maxVersionLevel: 0, allowDowngrade: true }])
  t.same([v0.errorCode, v0.errorMessage], [0, null])
  t.equal((await finalized())['group.version'], undefined, 'level 0 removes the feature')
  const up = await update(1, [{ feature: 'group.version', maxVersionLevel: 1 }])
  t.equal(up.errorCode, 0)
  t.equal((await finalized())['group.version'], 1)
  t.equal((await update(1, [{ feature: 'metadata.version', maxVersionLevel: 30 }])).errorCode, 0, 'setting the current level is fine')
})

t.test('UnregisterBroker: unknown ids are not registered', async t => {
  const b = await startTestBroker(t)
  const c = await b.client()
  const res = await c.request(UNREGISTER, 0, { brokerId: 7 })
  t.same([res.errorCode, res.errorMessage], [102, 'The given broker ID was not registered., Broker ID 7 is not currently registered'])
  const self = await c.request(UNREGISTER, 0, { brokerId: 1 })
  t.equal(self.errorCode, 0)
  t.equal((await c.request(API.ApiVersions, 3, sw)).errorCode, 0, 'the broker keeps serving')
})
