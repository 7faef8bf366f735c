// Config and partition admin calls of real clients against a real samsa: kafkajs, confluent-kafka-python
// (librdkafka) and kafka-python, each checked on content; config changes persist across a restart and
// take effect on the next produce.
import t from 'tap'
import { startBroker } from './harness.js'
import { makeKafka } from './kafkajs-client.js'
import { uniqueTopic } from './records.js'
import { python, havePythonModule } from './tools.js'

t.test('kafkajs admin: describeConfigs, alterConfigs, createPartitions, describeCluster', async t => {
  const broker = await startBroker(t)
  const kafka = makeKafka(broker.bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  const topic = uniqueTopic('kjs-cfg')
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })

  const described = await admin.describeConfigs({ resources: [{ type: 2, name: topic }], includeSynonyms: true })
  const entries = new Map(described.resources[0]!.configEntries.map(e => [e.configName, e]))
  t.equal(entries.size, 33)
  t.equal(entries.get('retention.ms')!.configValue, '604800000')
  t.equal(entries.get('retention.ms')!.isDefault, true)

  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: topic, configEntries: [{ name: 'max.message.bytes', value: '1000' }] }] })
  const after = await admin.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['max.message.bytes'] }], includeSynonyms: false })
  t.same(after.resources[0]!.configEntries.map(e => [e.configName, e.configValue, e.configSource]), [['max.message.bytes', '1000', 1]])

  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  t.teardown(() => producer.disconnect())
  await t.rejects(producer.send({ topic, acks: -1, messages: [{ value: 'x'.repeat(2000) }] }), /too large|MESSAGE_TOO_LARGE|larger/i, 'the new limit applies to the next produce')

  const brokerCfg = await admin.describeConfigs({ resources: [{ type: 4, name: '1', configNames: ['node.id', 'message.max.bytes'] }], includeSynonyms: false })
  t.same(brokerCfg.resources[0]!.configEntries.map(e => [e.configName, e.configValue, e.readOnly]).sort(), [['message.max.bytes', '1048588', false], ['node.id', '1', true]])

  await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })
  const md = await admin.fetchTopicMetadata({ topics: [topic] })
  t.same(md.topics[0]!.partitions.map(p => p.partitionId).sort(), [0, 1, 2])
  await t.rejects(admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] }), /partition/i)

  const cluster = await admin.describeCluster()
  t.equal(cluster.controller, 1)
  t.same(cluster.brokers.map(b => b.nodeId), [1])
  t.match(cluster.clusterId, /^[A-Za-z0-9_-]{22}$/)

  await broker.restart()
  const admin2 = makeKafka(broker.bootstrap).admin()
  await admin2.connect()
  t.teardown(() => admin2.disconnect())
  const persisted = await admin2.describeConfigs({ resources: [{ type: 2, name: topic, configNames: ['max.message.bytes'] }], includeSynonyms: false })
  t.equal(persisted.resources[0]!.configEntries[0]!.configValue, '1000', 'the override survived the restart')
})

t.test('confluent-kafka-python AdminClient', { skip: !havePythonModule('confluent_kafka') && 'no confluent_kafka' }, async t => {
  const broker = await startBroker(t)
  const topic = uniqueTopic('ck-cfg')
  const out = await python<any>('admin_configs.py', { op: 'confluent', bootstrap: broker.bootstrap, topic })
  t.same(out.before['retention.ms'], ['604800000', 5, false])
  t.same(out.after['retention.ms'], ['3600000', 1])
  t.same(out.after['cleanup.policy'], ['compact', 1])
  t.same(out.after['max.message.bytes'], ['1048588', 5], 'AlterConfigs replaced only what it named')
  t.same(out.broker['node.id'], ['1', true])
  t.same(out.broker['log.retention.hours'], ['168', true])
  t.same(out.partitions, [0, 1, 2])
  t.equal(out.shrink, 'INVALID_PARTITIONS')
  t.same(out.brokers, [1])
})

t.test('kafka-python KafkaAdminClient', { skip: !havePythonModule('kafka') && 'no kafka-python' }, async t => {
  const broker = await startBroker(t)
  const topic = uniqueTopic('kp-cfg')
  const out = await python<any>('admin_configs.py', { op: 'kafka_python', bootstrap: broker.bootstrap, topic })
  t.equal(out.describe_error, 0)
  t.equal(out.configs['cleanup.policy'], 'delete')
  t.equal(out.alter_error, 0)
  t.same(out.after, { 'max.message.bytes': '2000' })
  t.equal(out.static_error[0], 42)
  t.equal(out.static_error[1], 'Cannot update these configs dynamically: Set(node.id)')
  t.same(out.create_partitions, [[topic, 0]])
  t.equal(out.cluster.controller_id, 1)
  t.same(out.cluster.brokers, [1])
})
