// Command-line flags. Each maps onto a Kafka config name, so a flag, a server.properties line and an
// --override say the same thing; precedence is defaults < config file < --override < dedicated flags.
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { parseProperties } from '../config/properties.js'
import { parseListener } from '../config/broker-config.js'
import { ConfigError } from '../config/config-def.js'

export const HELP = `Usage: samsa [start] [options]

Runs a Kafka broker that stock Kafka clients connect to unchanged.

Options:
  -c, --config FILE          read broker configs from FILE (Kafka server.properties syntax)
      --host HOST            host to listen on (default 127.0.0.1; 0.0.0.0 for all interfaces)
  -p, --port PORT            port to listen on (default 9092; 0 picks a free port)
      --advertised-host HOST host clients are told to connect to (default: the listen host)
      --advertised-port PORT port clients are told to connect to (default: the bound port)
  -d, --data-dir DIR         where topics and metadata are stored (default ./samsa-data)
      --log-level LEVEL      trace, debug, info, warn, error, fatal or silent (default info)
      --auto-create-topics-enable true|false
                             create unknown topics on Metadata requests (default true)
      --num-partitions N     partitions of auto-created topics (default 1)
      --node-id N            this broker's node id (default 1)
      --kafka-version X.Y    advertise only the API versions Apache Kafka X.Y served (2.8 to 4.3)
      --telemetry-dir DIR    serve KIP-714 client telemetry, writing each push to DIR/<id>.jsonl
  -o, --override KEY=VALUE   set any broker config by its Kafka name (repeatable)
  -h, --help                 show this help
  -v, --version              print the version

Broker configs understood (Kafka names): listeners, advertised.listeners, log.dirs, log.dir, node.id,
auto.create.topics.enable, num.partitions, default.replication.factor, delete.topic.enable,
message.max.bytes, socket.request.max.bytes, log.segment.bytes, log.message.timestamp.type, the other
topic-config defaults (log.retention.ms, compression.type, min.insync.replicas, ...), and samsa.log.level.

Client commands (topic, produce, consume, group, cluster, config) talk to any Kafka broker: see
samsa help.

On start samsa prints one line, "samsa ready on HOST:PORT (data dir DIR)", to stdout; logs are JSON on
stderr. SIGINT or SIGTERM shut it down cleanly.
`

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'start', overrides: Map<string, string> }

export function parseCommand (argv: string[]): Command {
  const args = [...argv]
  if (args[0] === 'start') args.shift()
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'advertised-host': { type: 'string' },
      'advertised-port': { type: 'string' },
      'data-dir': { type: 'string', short: 'd' },
      'log-level': { type: 'string' },
      'auto-create-topics-enable': { type: 'string' },
      'num-partitions': { type: 'string' },
      'node-id': { type: 'string' },
      'kafka-version': { type: 'string' },
      'telemetry-dir': { type: 'string' },
      override: { type: 'string', short: 'o', multiple: true },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' }
    }
  })
  if (values.help === true) return { kind: 'help' }
  if (values.version === true) return { kind: 'version' }
  if (positionals.length > 0) throw new ConfigError(`unexpected argument: ${positionals[0]} (see samsa --help)`)

  const overrides = new Map<string, string>()
  if (values.config !== undefined) {
    let text: string
    try {
      text = readFileSync(values.config, 'utf8')
    } catch (err) {
      throw new ConfigError(`cannot read config file ${values.config}: ${(err as Error).message}`)
    }
    for (const [k, v] of parseProperties(text, values.config)) overrides.set(k, v)
  }
  for (const o of values.override ?? []) {
    const eq = o.indexOf('=')
    if (eq <= 0) throw new ConfigError(`--override expects KEY=VALUE, got ${o}`)
    overrides.set(o.slice(0, eq).trim(), o.slice(eq + 1).trim())
  }
  if (values.host !== undefined || values.port !== undefined) {
    // Replace the client listener's host/port; controller listeners of a stock KRaft file stay as they are.
    const controllers = new Set((overrides.get('controller.listener.names') ?? '').split(',').map(s => s.trim().toUpperCase()))
    const listeners = (overrides.get('listeners') ?? 'PLAINTEXT://127.0.0.1:9092').split(',').map(s => s.trim()).filter(s => s !== '').map(parseListener)
    const i = Math.max(0, listeners.findIndex(l => !controllers.has(l.name)))
    const base = listeners[i] ?? { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }
    const host = values.host ?? base.host
    const port = values.port === undefined ? base.port : portFlag('--port', values.port)
    listeners[i] = { name: base.name, host, port }
    overrides.set('listeners', listeners.map(l => `${l.name}://${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}`).join(','))
  }
  if (values['advertised-host'] !== undefined || values['advertised-port'] !== undefined) {
    const host = values['advertised-host'] ?? ''
    const port = values['advertised-port'] === undefined ? 0 : portFlag('--advertised-port', values['advertised-port'])
    overrides.set('advertised.listeners', `PLAINTEXT://${host}:${port}`)
  }
  if (values['data-dir'] !== undefined) {
    overrides.delete('log.dirs')
    overrides.set('log.dir', values['data-dir'])
  }
  if (values['log-level'] !== undefined) overrides.set('samsa.log.level', values['log-level'])
  if (values['auto-create-topics-enable'] !== undefined) overrides.set('auto.create.topics.enable', values['auto-create-topics-enable'])
  if (values['num-partitions'] !== undefined) overrides.set('num.partitions', values['num-partitions'])
  if (values['node-id'] !== undefined) overrides.set('node.id', values['node-id'])
  if (values['kafka-version'] !== undefined) overrides.set('samsa.kafka.version', values['kafka-version'])
  if (values['telemetry-dir'] !== undefined) overrides.set('samsa.telemetry.dir', values['telemetry-dir'])
  return { kind: 'start', overrides }
}

function portFlag (flag: string, s: string): number {
  if (!/^\d+$/.test(s) || Number(s) > 65535) throw new ConfigError(`${flag} must be a port number from 0 to 65535, got ${s}`)
  return Number(s)
}
