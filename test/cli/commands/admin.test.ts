// Config, partition and cluster commands. Whether the broker serves DescribeConfigs, AlterConfigs,
// IncrementalAlterConfigs, CreatePartitions and DescribeCluster is read from its ApiVersions answer:
// served APIs are exercised for real, missing ones must give the clear "does not support" error.
import t from 'tap'
import { startTestBroker } from '../../helpers/broker.js'
import { Connection } from '../../../src/client/connection.js'
import { API } from '../../../src/client/client.js'
import { samsa } from './run.js'

async function advertised (port: number): Promise<Set<number>> {
  const c = await Connection.open('127.0.0.1', port)
  c.close()
  return new Set(c.versions.keys())
}

t.test('cluster info and --api-versions', async t => {
  const b = await startTestBroker(t)
  const apis = await advertised(b.port)
  const r = await samsa(b.port, ['cluster', 'info', '--api-versions', '--json'])
  t.equal(r.code, 0, r.stderr)
  const info = JSON.parse(r.stdout)
  t.same(info.brokers, [{ nodeId: 1, host: '127.0.0.1', port: b.port, rack: null }])
  t.equal(info.controllerId, 1)
  t.type(info.clusterId, 'string')
  t.equal(info.source, apis.has(API.DescribeCluster) ? 'DescribeCluster' : 'Metadata')
  const av = info.apiVersions.find((a: any) => a.name === 'ApiVersions')
  t.same([av.minVersion, av.maxVersion, av.using], [0, 4, 4])
  const text = await samsa(b.port, ['cluster', 'info', '--api-versions'])
  t.match(text.stdout, /^CLUSTER\s+\S+\nCONTROLLER\s+1\n/)
  t.match(text.stdout, /\n3\s+Metadata\s+0\s+13\s+13\n/)
})

t.test('topic describe configs, alter-config and add-partitions', async t => {
  const b = await startTestBroker(t)
  const apis = await advertised(b.port)
  t.equal((await samsa(b.port, ['topic', 'create', 'cfg', '-p', '1', '-c', 'retention.ms=60000', '-c', 'cleanup.policy=compact'])).code, 0)
  const desc = await samsa(b.port, ['topic', 'describe', 'cfg', '--json'])
  t.equal(desc.code, 0, desc.stderr)
  const configs = JSON.parse(desc.stdout).configs
  if (apis.has(API.DescribeConfigs)) {
    t.match(configs.find((e: any) => e.name === 'retention.ms'), { value: '60000', source: 'DYNAMIC_TOPIC_CONFIG' })
  } else {
    t.equal(configs, null)
    t.match((await samsa(b.port, ['topic', 'describe', 'cfg'])).stdout, /does not support DescribeConfigs/)
  }

  const alter = await samsa(b.port, ['topic', 'alter-config', 'cfg', '--set', 'retention.ms=120000', '--delete', 'cleanup.policy'])
  if (apis.has(API.IncrementalAlterConfigs) || (apis.has(API.AlterConfigs) && apis.has(API.DescribeConfigs))) {
    t.equal(alter.code, 0, alter.stderr)
    t.match(alter.stdout, apis.has(API.IncrementalAlterConfigs) ? /IncrementalAlterConfigs/ : /AlterConfigs/)
    if (apis.has(API.DescribeConfigs)) {
      const after = JSON.parse((await samsa(b.port, ['topic', 'describe', 'cfg', '--json'])).stdout).configs
      t.match(after.find((e: any) => e.name === 'retention.ms'), { value: '120000', source: 'DYNAMIC_TOPIC_CONFIG' })
      t.notMatch(after.find((e: any) => e.name === 'cleanup.policy'), { source: 'DYNAMIC_TOPIC_CONFIG' })
    }
    const bad = await samsa(b.port, ['topic', 'alter-config', 'cfg', '--set', 'retention.ms=soon'])
    t.equal(bad.code, 1)
    t.match(bad.stderr, /INVALID_CONFIG/)
  } else {
    t.equal(alter.code, 1)
    t.match(alter.stderr, /does not support IncrementalAlterConfigs or (AlterConfigs|DescribeConfigs)/)
  }
  t.equal((await samsa(b.port, ['topic', 'alter-config', 'cfg'])).code, 2)

  const grow = await samsa(b.port, ['topic', 'add-partitions', 'cfg', '-n', '3'])
  if (apis.has(API.CreatePartitions)) {
    t.equal(grow.code, 0, grow.stderr)
    const parts = JSON.parse((await samsa(b.port, ['topic', 'describe', 'cfg', '--json'])).stdout).partitions
    t.equal(parts.length, 3)
    const shrink = await samsa(b.port, ['topic', 'add-partitions', 'cfg', '-n', '2'])
    t.equal(shrink.code, 1)
    t.match(shrink.stderr, /INVALID_PARTITIONS/)
  } else {
    t.equal(grow.code, 1)
    t.match(grow.stderr, /does not support CreatePartitions/)
  }
})

t.test('config get and set for brokers', async t => {
  const b = await startTestBroker(t)
  const apis = await advertised(b.port)
  const get = await samsa(b.port, ['config', 'get', 'log.retention.ms', '--json'])
  if (apis.has(API.DescribeConfigs)) {
    t.equal(get.code, 0, get.stderr)
    const g = JSON.parse(get.stdout)
    t.equal(g.broker, 1)
    t.same(g.configs.map((e: any) => e.name), ['log.retention.ms'])
  } else {
    t.equal(get.code, 1)
    t.match(get.stderr, /does not support DescribeConfigs/)
  }
  const set = await samsa(b.port, ['config', 'set', 'log.cleaner.threads=2'])
  if (apis.has(API.IncrementalAlterConfigs) || (apis.has(API.AlterConfigs) && apis.has(API.DescribeConfigs))) {
    // Whether a given broker config is dynamically changeable is the broker's call; either outcome
    // must be a clean answer, not a crash.
    t.ok(set.code === 0 || /INVALID_(CONFIG|REQUEST)|POLICY_VIOLATION/.test(set.stderr), set.stderr)
  } else {
    t.equal(set.code, 1)
    t.match(set.stderr, /does not support IncrementalAlterConfigs or (AlterConfigs|DescribeConfigs)/)
  }
  t.equal((await samsa(b.port, ['config', 'set'])).code, 2)
  t.equal((await samsa(b.port, ['config', 'frobnicate'])).code, 2)
})
