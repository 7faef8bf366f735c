import t from 'tap'
import { BrokerConfig, parseListener, brokerConfigDef } from '../../src/config/broker-config.js'
import { ConfigError } from '../../src/config/config-def.js'

const cfg = (o: Record<string, string>): BrokerConfig => new BrokerConfig(new Map(Object.entries(o)))

t.test('defaults: Kafka\'s values, and a broker that starts with no config at all', async t => {
  const c = new BrokerConfig()
  t.equal(c.nodeId, 1)
  t.same(c.listener, { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 })
  t.same(c.advertised, { host: '127.0.0.1', port: 9092 })
  t.equal(c.dataDir, './samsa-data')
  t.equal(c.bool('auto.create.topics.enable'), true)
  t.equal(c.bool('delete.topic.enable'), true)
  t.equal(c.int('num.partitions'), 1)
  t.equal(c.int('default.replication.factor'), 1)
  t.equal(c.int('socket.request.max.bytes'), 104857600)
  t.equal(c.int('message.max.bytes'), 1048588)
  // As in Kafka: the millisecond form is unset and log.retention.hours (168) applies behind it.
  t.equal(c.get('log.retention.ms'), null)
  t.equal(c.int('log.retention.hours'), 168)
  t.equal(c.int('log.segment.bytes'), 1073741824)
  t.equal(c.str('compression.type'), 'producer')
  t.equal(c.int('min.insync.replicas'), 1)
  t.equal(c.str('log.message.timestamp.type'), 'CreateTime')
  t.same(c.get('log.cleanup.policy'), ['delete'])
  t.equal(c.str('broker.rack'), null)
  t.equal(c.str('samsa.log.level'), 'info')
  t.same([...c.explicit], [])
})

t.test('overrides are parsed by type and remembered as explicit', async t => {
  const c = cfg({ 'node.id': ' 3 ', 'auto.create.topics.enable': 'FALSE', 'log.retention.ms': '-1', 'log.cleanup.policy': 'compact, delete', 'log.dirs': '/data/x' })
  t.equal(c.nodeId, 3)
  t.equal(c.bool('auto.create.topics.enable'), false)
  t.equal(c.get('log.retention.ms'), -1n)
  t.same(c.get('log.cleanup.policy'), ['compact', 'delete'])
  t.equal(c.dataDir, '/data/x', 'log.dirs wins over log.dir')
  t.same([...c.explicit].sort(), ['auto.create.topics.enable', 'log.cleanup.policy', 'log.dirs', 'log.retention.ms', 'node.id'])
})

t.test('errors: unknown key, bad int, bad boolean, out of range, bad enum', async t => {
  // Kafka only warns about names it does not know; the CLI logs them.
  t.same(cfg({ 'no.such.thing': '1' }).unknown, ['no.such.thing'])
  t.throws(() => cfg({ 'num.partitions': 'three' }), { message: 'Invalid value three for configuration num.partitions: Not a number of type INT' })
  t.throws(() => cfg({ 'num.partitions': '2147483648' }), /Not a number of type INT/)
  t.throws(() => cfg({ 'num.partitions': '1.5' }), /Not a number of type INT/)
  t.throws(() => cfg({ 'num.partitions': '0' }), { message: 'Invalid value 0 for configuration num.partitions: Value must be at least 1' })
  t.throws(() => cfg({ 'delete.topic.enable': 'yes' }), { message: 'Invalid value yes for configuration delete.topic.enable: Expected value to be either true or false' })
  t.throws(() => cfg({ 'log.retention.ms': '9223372036854775808' }), /Not a number of type LONG/)
  t.throws(() => cfg({ 'samsa.log.level': 'loud' }), /String must be one of/)
  t.throws(() => cfg({ 'node.id': '-1' }), /at least 0/)
  t.throws(() => new BrokerConfig().get('nope'), ConfigError)
})

t.test('listeners: one PLAINTEXT listener with a valid port', async t => {
  t.same(parseListener('PLAINTEXT://0.0.0.0:9093'), { name: 'PLAINTEXT', host: '0.0.0.0', port: 9093 })
  t.same(parseListener('plaintext://:9092'), { name: 'PLAINTEXT', host: '', port: 9092 })
  t.same(parseListener('PLAINTEXT://[::1]:9092'), { name: 'PLAINTEXT', host: '::1', port: 9092 })
  for (const bad of ['localhost:9092', 'PLAINTEXT://host', 'PLAINTEXT://host:port', 'PLAINTEXT://host:70000', '']) {
    t.throws(() => cfg({ listeners: bad }), ConfigError, JSON.stringify(bad))
  }
  t.throws(() => cfg({ listeners: 'SSL://h:9093' }).listener, /only PLAINTEXT/)
  t.throws(() => cfg({ listeners: 'PLAINTEXT://a:1,PLAINTEXT://b:2' }).listener, /exactly one client listener/)
  // Kafka's stock KRaft file: the controller listener is skipped, names map through the protocol map.
  t.same(cfg({ listeners: 'PLAINTEXT://:9092,CONTROLLER://:9093', 'controller.listener.names': 'CONTROLLER' }).listener, { name: 'PLAINTEXT', host: '', port: 9092 })
  t.same(cfg({ listeners: 'CLIENT://h:1', 'listener.security.protocol.map': 'CLIENT:PLAINTEXT' }).listener, { name: 'CLIENT', host: 'h', port: 1 })
  t.throws(() => cfg({ 'process.roles': 'broker,worker' }), /Unknown process role worker/)
  t.throws(() => cfg({ 'advertised.listeners': 'nonsense' }), ConfigError)
})

t.test('advertised address: explicit, or the listener with wildcard hosts made reachable', async t => {
  t.same(cfg({ listeners: 'PLAINTEXT://0.0.0.0:9000' }).advertised, { host: '127.0.0.1', port: 9000 })
  t.same(cfg({ listeners: 'PLAINTEXT://:9000' }).advertised, { host: '127.0.0.1', port: 9000 })
  t.same(cfg({ listeners: 'PLAINTEXT://0.0.0.0:9000', 'advertised.listeners': 'PLAINTEXT://broker.example:19092' }).advertised, { host: 'broker.example', port: 19092 })
})

t.test('log.dirs must name exactly one directory', async t => {
  t.throws(() => cfg({ 'log.dirs': '/a,/b' }).dataDir, /exactly one data directory/)
  t.equal(cfg({ 'log.dirs': ' /a , ' }).dataDir, '/a')
})

t.test('every topic config has its broker synonym defined', async t => {
  for (const name of ['message.max.bytes', 'log.retention.ms', 'log.segment.bytes', 'log.message.timestamp.type', 'compression.type', 'min.insync.replicas', 'log.cleanup.policy']) {
    t.ok(brokerConfigDef(name), name)
  }
})
