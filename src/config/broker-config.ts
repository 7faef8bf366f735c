// Broker configs by Kafka's names and defaults (where samsa differs — node.id, listeners, log.dirs — it is
// because a laptop broker must start with no config at all). Values come from defaults < config file < flags.
import { type ConfigDef, type ConfigValue, ConfigError, parseValue, atLeast, between, oneOf } from './config-def.js'
import { TOPIC_CONFIGS } from './topic-config.js'
import { LOG_BROKER_CONFIGS } from './log-configs.js'
import { EMULATED_RELEASES } from '../broker/version-emulation.js'

const own: ConfigDef[] = [
  { name: 'node.id', type: 'int', default: '1', validate: atLeast(0) },
  { name: 'listeners', type: 'string', default: 'PLAINTEXT://127.0.0.1:9092', validate: v => typeof v === 'string' ? listenerListError(v) : undefined },
  { name: 'advertised.listeners', type: 'string', default: null, validate: v => typeof v === 'string' ? listenerListError(v) : undefined },
  // Accepted so Kafka's stock KRaft server.properties loads; a single node is broker and controller at once.
  { name: 'process.roles', type: 'list', default: '', validate: listOfRoles },
  { name: 'controller.listener.names', type: 'string', default: null },
  { name: 'listener.security.protocol.map', type: 'string', default: 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT' },
  { name: 'inter.broker.listener.name', type: 'string', default: null },
  { name: 'controller.quorum.voters', type: 'string', default: '' },
  { name: 'controller.quorum.bootstrap.servers', type: 'string', default: '' },
  { name: 'log.dirs', type: 'string', default: null },
  { name: 'log.dir', type: 'string', default: './samsa-data' },
  { name: 'auto.create.topics.enable', type: 'boolean', default: 'true' },
  { name: 'num.partitions', type: 'int', default: '1', validate: atLeast(1) },
  { name: 'default.replication.factor', type: 'int', default: '1', validate: atLeast(1) },
  { name: 'delete.topic.enable', type: 'boolean', default: 'true' },
  { name: 'socket.request.max.bytes', type: 'int', default: '104857600', validate: atLeast(1) },
  // Connection limits (Kafka's names and defaults: unlimited); overrides are comma-separated host:count.
  { name: 'max.connections', type: 'int', default: '2147483647', validate: atLeast(0) },
  { name: 'max.connections.per.ip', type: 'int', default: '2147483647', validate: atLeast(0) },
  { name: 'max.connections.per.ip.overrides', type: 'string', default: '', validate: v => typeof v === 'string' ? perIpOverridesError(v) : undefined },
  { name: 'max.connection.creation.rate', type: 'int', default: '2147483647', validate: atLeast(0) },
  // Incremental fetch sessions (KIP-227); Kafka splits the slots over 8 cache shards.
  { name: 'max.incremental.fetch.session.cache.slots', type: 'int', default: '1000', validate: atLeast(0) },
  { name: 'broker.rack', type: 'string', default: null },
  // Group coordinator (Kafka's names and defaults, except where the comment says otherwise).
  { name: 'offsets.topic.num.partitions', type: 'int', default: '50', validate: atLeast(1) },
  // Kafka's default is 3, which one broker can never satisfy; 1 makes the first consumer group work.
  { name: 'offsets.topic.replication.factor', type: 'int', default: '1', validate: atLeast(1) },
  { name: 'offsets.topic.segment.bytes', type: 'int', default: '104857600', validate: atLeast(1) },
  { name: 'offsets.load.buffer.size', type: 'int', default: '5242880', validate: atLeast(1) },
  { name: 'offsets.retention.minutes', type: 'int', default: '10080', validate: atLeast(1) },
  { name: 'offsets.retention.check.interval.ms', type: 'int', default: '600000', validate: atLeast(1) },
  { name: 'offset.metadata.max.bytes', type: 'int', default: '4096', validate: atLeast(0) },
  // Kafka's default is 3000; its own shipped server.properties sets 0 for development, as samsa does.
  { name: 'group.initial.rebalance.delay.ms', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'group.min.session.timeout.ms', type: 'int', default: '6000', validate: atLeast(0) },
  { name: 'group.max.session.timeout.ms', type: 'int', default: '1800000', validate: atLeast(0) },
  { name: 'group.max.size', type: 'int', default: '2147483647', validate: atLeast(1) },
  // KIP-848 consumer groups (Kafka 4.x names and defaults; the assignors are named by Kafka's class names or uniform/range).
  { name: 'group.consumer.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.consumer.min.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.consumer.max.session.timeout.ms', type: 'int', default: '60000', validate: atLeast(1) },
  { name: 'group.consumer.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.consumer.min.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.consumer.max.heartbeat.interval.ms', type: 'int', default: '15000', validate: atLeast(1) },
  { name: 'group.consumer.max.size', type: 'int', default: '2147483647', validate: atLeast(1) },
  { name: 'group.consumer.assignors', type: 'list', default: 'uniform,range' },
  { name: 'group.consumer.migration.policy', type: 'string', default: 'bidirectional', validate: oneOf('disabled', 'upgrade', 'downgrade', 'bidirectional') },
  // Defaults and bounds of the per-group configs (GroupConfig): Kafka 4.3's names, defaults and ranges.
  // They are describable and bound group overrides; samsa runs no share or streams groups.
  { name: 'group.consumer.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0) },
  { name: 'group.consumer.min.assignment.interval.ms', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'group.consumer.max.assignment.interval.ms', type: 'int', default: '15000', validate: atLeast(0) },
  { name: 'group.share.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.share.min.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.share.max.session.timeout.ms', type: 'int', default: '60000', validate: atLeast(1) },
  { name: 'group.share.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.share.min.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.share.max.heartbeat.interval.ms', type: 'int', default: '15000', validate: atLeast(1) },
  { name: 'group.share.record.lock.duration.ms', type: 'int', default: '30000', validate: between(1000, 3600000) },
  { name: 'group.share.min.record.lock.duration.ms', type: 'int', default: '15000', validate: between(1000, 30000) },
  { name: 'group.share.max.record.lock.duration.ms', type: 'int', default: '60000', validate: between(30000, 3600000) },
  { name: 'group.share.delivery.count.limit', type: 'int', default: '5', validate: between(2, 10) },
  { name: 'group.share.min.delivery.count.limit', type: 'int', default: '2', validate: between(2, 5) },
  { name: 'group.share.max.delivery.count.limit', type: 'int', default: '10', validate: between(5, 25) },
  { name: 'group.share.partition.max.record.locks', type: 'int', default: '2000', validate: between(100, 10000) },
  { name: 'group.share.min.partition.max.record.locks', type: 'int', default: '100', validate: between(100, 2000) },
  { name: 'group.share.max.partition.max.record.locks', type: 'int', default: '4000', validate: between(2000, 10000) },
  { name: 'group.share.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0) },
  { name: 'group.share.min.assignment.interval.ms', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'group.share.max.assignment.interval.ms', type: 'int', default: '15000', validate: atLeast(0) },
  { name: 'group.streams.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.streams.min.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'group.streams.max.session.timeout.ms', type: 'int', default: '60000', validate: atLeast(1) },
  { name: 'group.streams.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.streams.min.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) },
  { name: 'group.streams.max.heartbeat.interval.ms', type: 'int', default: '15000', validate: atLeast(1) },
  { name: 'group.streams.num.standby.replicas', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'group.streams.max.standby.replicas', type: 'int', default: '2', validate: atLeast(0) },
  { name: 'group.streams.initial.rebalance.delay.ms', type: 'int', default: '3000', validate: atLeast(0) },
  { name: 'group.streams.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0) },
  { name: 'group.streams.min.assignment.interval.ms', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'group.streams.max.assignment.interval.ms', type: 'int', default: '15000', validate: atLeast(0) },
  // Transaction coordinator and producer state (Kafka's names; replication factor 1 as for offsets).
  { name: 'transaction.state.log.num.partitions', type: 'int', default: '50', validate: atLeast(1) },
  { name: 'transaction.state.log.replication.factor', type: 'int', default: '1', validate: atLeast(1) },
  { name: 'transaction.state.log.segment.bytes', type: 'int', default: '104857600', validate: atLeast(1) },
  { name: 'transaction.state.log.load.buffer.size', type: 'int', default: '5242880', validate: atLeast(1) },
  { name: 'transaction.max.timeout.ms', type: 'int', default: '900000', validate: atLeast(1) },
  { name: 'transaction.abort.timed.out.transaction.cleanup.interval.ms', type: 'int', default: '10000', validate: atLeast(1) },
  { name: 'transactional.id.expiration.ms', type: 'int', default: '604800000', validate: atLeast(1) },
  { name: 'transaction.remove.expired.transaction.cleanup.interval.ms', type: 'int', default: '3600000', validate: atLeast(1) },
  { name: 'producer.id.expiration.ms', type: 'int', default: '86400000', validate: atLeast(1) },
  { name: 'producer.id.expiration.check.interval.ms', type: 'int', default: '600000', validate: atLeast(1) },
  { name: 'quota.window.num', type: 'int', default: '11', validate: atLeast(1) },
  { name: 'quota.window.size.seconds', type: 'int', default: '1', validate: atLeast(1) },
  { name: 'samsa.log.level', type: 'string', default: 'info', validate: oneOf('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent') },
  { name: 'samsa.shutdown.timeout.ms', type: 'int', default: '10000', validate: between(0, 600000) },
  // KIP-714: the most bytes a PushTelemetry payload may carry (before decompression) and decompress to.
  { name: 'telemetry.max.bytes', type: 'int', default: '1048576', validate: atLeast(1) },
  // Where accepted client telemetry is written, one JSON line per push; unset serves no telemetry APIs.
  { name: 'samsa.telemetry.dir', type: 'string', default: null },
  { name: 'samsa.kafka.version', type: 'string', default: null, validate: v => typeof v === 'string' && !EMULATED_RELEASES.includes(v) ? `must be one of ${EMULATED_RELEASES.join(', ')}` : undefined }
]

/** Every topic config's broker synonym is a broker config with the same type and default. */
own.push(...LOG_BROKER_CONFIGS)

const synonyms: ConfigDef[] = TOPIC_CONFIGS
  .filter(d => d.brokerSynonym !== undefined && !own.some(o => o.name === d.brokerSynonym))
  .map(d => ({ name: d.brokerSynonym!, type: d.type, default: d.default, validate: d.validate }))

export const BROKER_CONFIGS: readonly ConfigDef[] = [...own, ...synonyms].sort((a, b) => a.name.localeCompare(b.name))
const byName = new Map(BROKER_CONFIGS.map(d => [d.name, d]))

export function brokerConfigDef (name: string): ConfigDef | undefined {
  return byName.get(name)
}

export interface Listener { name: string, host: string, port: number }

export function parseListener (s: string): Listener {
  const m = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(s.trim())
  if (m === null) throw new ConfigError(`Invalid listener ${s}: expected NAME://host:port`)
  const port = Number(m[3])
  if (port > 65535) throw new ConfigError(`Invalid listener ${s}: port out of range`)
  return { name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port }
}

function listenerListError (v: string): string | undefined {
  const parts = v.split(',').map(p => p.trim()).filter(p => p !== '')
  if (parts.length === 0) return 'at least one listener is required'
  try {
    for (const part of parts) parseListener(part)
  } catch (e) {
    return (e as Error).message
  }
  return undefined
}

/** max.connections.per.ip.overrides as Kafka parses it: `host:count` pairs; throws ConfigError when malformed. */
export function parsePerIpOverrides (v: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const part of v.split(',').map(p => p.trim()).filter(p => p !== '')) {
    const i = part.lastIndexOf(':')
    const host = i <= 0 ? '' : part.slice(0, i).trim()
    const count = i <= 0 ? NaN : Number(part.slice(i + 1).trim())
    if (host === '' || !Number.isInteger(count) || count < 0 || count > 2147483647) {
      throw new ConfigError(`Invalid max.connections.per.ip.overrides entry ${part}: expected host:count`)
    }
    out.set(host, count)
  }
  return out
}

function perIpOverridesError (v: string): string | undefined {
  try {
    parsePerIpOverrides(v)
  } catch (e) {
    return (e as Error).message
  }
  return undefined
}

function listOfRoles (v: ConfigValue): string | undefined {
  if (!Array.isArray(v)) return undefined
  for (const r of v) if (r !== 'broker' && r !== 'controller') return `Unknown process role ${r} (must be broker or controller)`
  return undefined
}

export class BrokerConfig {
  private readonly values = new Map<string, ConfigValue | null>()
  /** Which names were set explicitly (config file or flag), for DescribeConfigs sources. */
  readonly explicit = new Set<string>()
  /** Names supplied that samsa does not know; Kafka logs these and carries on, and so do we. */
  readonly unknown: string[] = []

  constructor (overrides: Map<string, string> = new Map()) {
    for (const def of BROKER_CONFIGS) {
      this.values.set(def.name, def.default === null ? null : parseValue(def, def.default))
    }
    for (const [name, raw] of overrides) {
      const def = byName.get(name)
      if (def === undefined) {
        this.unknown.push(name)
        continue
      }
      this.values.set(name, parseValue(def, raw))
      this.explicit.add(name)
    }
    // Kafka's own cross-check: a zero default needs overrides, or no client could ever connect.
    if (this.int('max.connections.per.ip') === 0 && this.str('max.connections.per.ip.overrides') === '') {
      throw new ConfigError('max.connections.per.ip can be set to zero only if max.connections.per.ip.overrides property is set.')
    }
  }

  get (name: string): ConfigValue | null {
    if (!this.values.has(name)) throw new ConfigError(`Unknown broker config ${name}`)
    return this.values.get(name)!
  }

  int (name: string): number { return this.get(name) as number }
  bool (name: string): boolean { return this.get(name) as boolean }
  str (name: string): string | null { return this.get(name) as string | null }

  get nodeId (): number { return this.int('node.id') }
  /** The one client listener: controller listeners are skipped, and it must map to PLAINTEXT. */
  get listener (): Listener { return this.clientListener(this.str('listeners')!, 'listeners') }

  private clientListener (value: string, key: string): Listener {
    const controllers = new Set((this.str('controller.listener.names') ?? '').split(',').map(s => s.trim().toUpperCase()).filter(s => s !== ''))
    const protocols = new Map<string, string>()
    for (const pair of this.str('listener.security.protocol.map')!.split(',')) {
      const [name, proto] = pair.split(':').map(s => s.trim().toUpperCase())
      if (name !== undefined && proto !== undefined) protocols.set(name, proto)
    }
    const listeners = value.split(',').map(p => p.trim()).filter(p => p !== '').map(parseListener).filter(l => !controllers.has(l.name))
    if (listeners.length !== 1) throw new ConfigError(`${key}: samsa serves exactly one client listener, found ${listeners.length} in ${value}`)
    const l = listeners[0]!
    const proto = protocols.get(l.name) ?? l.name
    if (proto !== 'PLAINTEXT') throw new ConfigError(`${key}: listener ${l.name} uses ${proto}; only PLAINTEXT is supported so far`)
    return l
  }

  get advertised (): { host: string, port: number } {
    const adv = this.str('advertised.listeners')
    const l = adv === null ? this.listener : this.clientListener(adv, 'advertised.listeners')
    // Advertising 0.0.0.0 would send clients nowhere; Kafka uses the canonical host name, we use loopback.
    const host = l.host === '' || l.host === '0.0.0.0' || l.host === '::' ? '127.0.0.1' : l.host
    return { host, port: l.port }
  }

  get dataDir (): string {
    const dirs = this.str('log.dirs')
    if (dirs !== null) {
      const list = dirs.split(',').map(s => s.trim()).filter(s => s !== '')
      if (list.length !== 1) throw new ConfigError('log.dirs: samsa uses exactly one data directory')
      return list[0]!
    }
    return this.str('log.dir')!
  }
}
