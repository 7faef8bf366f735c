import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCommand } from '../../src/cli/args.js'
import { ConfigError } from '../../src/config/config-def.js'
import { BrokerConfig } from '../../src/config/broker-config.js'

const start = (argv: string[]): Map<string, string> => {
  const cmd = parseCommand(argv)
  if (cmd.kind !== 'start') throw new Error(`expected start, got ${cmd.kind}`)
  return cmd.overrides
}

t.test('no flags, or just "start", means defaults', async t => {
  t.same([...start([])], [])
  t.same([...start(['start'])], [])
  t.same(parseCommand(['--help']), { kind: 'help' })
  t.same(parseCommand(['-h']), { kind: 'help' })
  t.same(parseCommand(['start', '-v']), { kind: 'version' })
})

t.test('flags map onto Kafka config names', async t => {
  const o = start(['--port', '0', '--data-dir', '/tmp/x', '--log-level', 'warn', '--auto-create-topics-enable', 'false', '--num-partitions', '3', '--node-id', '4'])
  t.same(Object.fromEntries(o), {
    listeners: 'PLAINTEXT://127.0.0.1:0',
    'log.dir': '/tmp/x',
    'samsa.log.level': 'warn',
    'auto.create.topics.enable': 'false',
    'num.partitions': '3',
    'node.id': '4'
  })
  t.equal(start(['--host', '0.0.0.0']).get('listeners'), 'PLAINTEXT://0.0.0.0:9092')
  t.equal(start(['--host', '::1', '-p', '9000']).get('listeners'), 'PLAINTEXT://[::1]:9000')
  t.equal(start(['--advertised-host', 'kafka.local']).get('advertised.listeners'), 'PLAINTEXT://kafka.local:0')
  t.equal(start(['--advertised-host', 'h', '--advertised-port', '19092']).get('advertised.listeners'), 'PLAINTEXT://h:19092')
  t.same(Object.fromEntries(start(['-o', 'message.max.bytes=100', '--override', 'log.retention.ms = 5'])), { 'message.max.bytes': '100', 'log.retention.ms': '5' })
  // What the flags produce is a valid broker config.
  const c = new BrokerConfig(start(['--port', '0', '--num-partitions', '3']))
  t.equal(c.listener.port, 0)
  t.equal(c.int('num.partitions'), 3)
})

t.test('precedence: config file < --override < dedicated flags', async t => {
  const dir = t.testdir()
  const file = join(dir, 'server.properties')
  writeFileSync(file, 'listeners=PLAINTEXT://filehost:1111\nnum.partitions=2\nlog.dirs=/from/file\nmessage.max.bytes=10\n# comment\n')
  t.same(Object.fromEntries(start(['-c', file])), { listeners: 'PLAINTEXT://filehost:1111', 'num.partitions': '2', 'log.dirs': '/from/file', 'message.max.bytes': '10' })
  const o = start(['-c', file, '-o', 'num.partitions=3', '-o', 'message.max.bytes=20', '--num-partitions', '5', '--port', '2222', '--data-dir', '/flag'])
  t.equal(o.get('num.partitions'), '5', 'dedicated flag beats --override')
  t.equal(o.get('message.max.bytes'), '20', '--override beats the file')
  t.equal(o.get('listeners'), 'PLAINTEXT://filehost:2222', '--port keeps the file\'s host')
  t.equal(o.get('log.dir'), '/flag')
  t.equal(o.has('log.dirs'), false, '--data-dir replaces the file\'s log.dirs')
  t.equal(new BrokerConfig(o).dataDir, '/flag')
})

t.test('errors', async t => {
  t.throws(() => parseCommand(['--port', 'abc']), { name: 'ConfigError', message: /--port must be a port number/ })
  t.throws(() => parseCommand(['--port', '65536']), ConfigError)
  t.throws(() => parseCommand(['--advertised-port', '-1']), /./)
  t.throws(() => parseCommand(['-o', 'novalue']), /--override expects KEY=VALUE/)
  t.throws(() => parseCommand(['-o', '=x']), /--override expects KEY=VALUE/)
  t.throws(() => parseCommand(['stop']), /unexpected argument: stop/)
  t.throws(() => parseCommand(['--bogus']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' })
  t.throws(() => parseCommand(['--port']), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' })
  t.throws(() => parseCommand(['-c', '/definitely/not/here.properties']), /cannot read config file/)
  const dir = t.testdir()
  writeFileSync(join(dir, 'bad.properties'), '=oops\n')
  t.throws(() => parseCommand(['-c', join(dir, 'bad.properties')]), /bad\.properties:1/)
})
