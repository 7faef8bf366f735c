// Topic-level configs with Kafka 4.x names, types, defaults and the broker config each one falls back to
// (its "synonym"), so CreateTopics can validate and report them with the right source.
import { type ConfigDef, type ConfigValue, ConfigError, parseValue, atLeast, between, oneOf, listOf, LONG_MAX_STRING } from './config-def.js'

export interface TopicConfigDef extends ConfigDef {
  /** The broker config whose value is this topic config's default. */
  brokerSynonym?: string
}

const compressionTypes = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer']

export const TOPIC_CONFIGS: readonly TopicConfigDef[] = [
  { name: 'cleanup.policy', type: 'list', default: 'delete', validate: listOf('compact', 'delete'), brokerSynonym: 'log.cleanup.policy' },
  { name: 'compression.gzip.level', type: 'int', default: '-1', validate: v => v === -1 ? undefined : between(1, 9)(v), brokerSynonym: 'compression.gzip.level' },
  { name: 'compression.lz4.level', type: 'int', default: '9', validate: between(1, 17), brokerSynonym: 'compression.lz4.level' },
  { name: 'compression.type', type: 'string', default: 'producer', validate: oneOf(...compressionTypes), brokerSynonym: 'compression.type' },
  { name: 'compression.zstd.level', type: 'int', default: '3', validate: between(-131072, 22), brokerSynonym: 'compression.zstd.level' },
  { name: 'delete.retention.ms', type: 'long', default: '86400000', validate: atLeast(0n), brokerSynonym: 'log.cleaner.delete.retention.ms' },
  { name: 'file.delete.delay.ms', type: 'long', default: '60000', validate: atLeast(0n), brokerSynonym: 'log.segment.delete.delay.ms' },
  { name: 'flush.messages', type: 'long', default: LONG_MAX_STRING, validate: atLeast(1n), brokerSynonym: 'log.flush.interval.messages' },
  { name: 'flush.ms', type: 'long', default: LONG_MAX_STRING, validate: atLeast(0n), brokerSynonym: 'log.flush.interval.ms' },
  { name: 'follower.replication.throttled.replicas', type: 'list', default: '', brokerSynonym: 'follower.replication.throttled.replicas' },
  { name: 'index.interval.bytes', type: 'int', default: '4096', validate: atLeast(0), brokerSynonym: 'log.index.interval.bytes' },
  { name: 'leader.replication.throttled.replicas', type: 'list', default: '', brokerSynonym: 'leader.replication.throttled.replicas' },
  { name: 'local.retention.bytes', type: 'long', default: '-2', validate: atLeast(-2n), brokerSynonym: 'log.local.retention.bytes' },
  { name: 'local.retention.ms', type: 'long', default: '-2', validate: atLeast(-2n), brokerSynonym: 'log.local.retention.ms' },
  { name: 'max.compaction.lag.ms', type: 'long', default: LONG_MAX_STRING, validate: atLeast(1n), brokerSynonym: 'log.cleaner.max.compaction.lag.ms' },
  { name: 'max.message.bytes', type: 'int', default: '1048588', validate: atLeast(0), brokerSynonym: 'message.max.bytes' },
  { name: 'message.timestamp.after.max.ms', type: 'long', default: '3600000', validate: atLeast(0n), brokerSynonym: 'log.message.timestamp.after.max.ms' },
  { name: 'message.timestamp.before.max.ms', type: 'long', default: LONG_MAX_STRING, validate: atLeast(0n), brokerSynonym: 'log.message.timestamp.before.max.ms' },
  { name: 'message.timestamp.type', type: 'string', default: 'CreateTime', validate: oneOf('CreateTime', 'LogAppendTime'), brokerSynonym: 'log.message.timestamp.type' },
  { name: 'min.cleanable.dirty.ratio', type: 'double', default: '0.5', validate: between(0, 1), brokerSynonym: 'log.cleaner.min.cleanable.ratio' },
  { name: 'min.compaction.lag.ms', type: 'long', default: '0', validate: atLeast(0n), brokerSynonym: 'log.cleaner.min.compaction.lag.ms' },
  { name: 'min.insync.replicas', type: 'int', default: '1', validate: atLeast(1), brokerSynonym: 'min.insync.replicas' },
  { name: 'preallocate', type: 'boolean', default: 'false', brokerSynonym: 'log.preallocate' },
  { name: 'remote.log.copy.disable', type: 'boolean', default: 'false' },
  { name: 'remote.log.delete.on.disable', type: 'boolean', default: 'false' },
  { name: 'remote.storage.enable', type: 'boolean', default: 'false' },
  { name: 'retention.bytes', type: 'long', default: '-1', brokerSynonym: 'log.retention.bytes' },
  { name: 'retention.ms', type: 'long', default: '604800000', validate: atLeast(-1n), brokerSynonym: 'log.retention.ms' },
  { name: 'segment.bytes', type: 'int', default: '1073741824', validate: atLeast(1048576), brokerSynonym: 'log.segment.bytes' },
  { name: 'segment.index.bytes', type: 'int', default: '10485760', validate: atLeast(4), brokerSynonym: 'log.index.size.max.bytes' },
  { name: 'segment.jitter.ms', type: 'long', default: '0', validate: atLeast(0n), brokerSynonym: 'log.roll.jitter.ms' },
  { name: 'segment.ms', type: 'long', default: '604800000', validate: atLeast(1n), brokerSynonym: 'log.roll.ms' },
  { name: 'unclean.leader.election.enable', type: 'boolean', default: 'false', brokerSynonym: 'unclean.leader.election.enable' }
]

const byName = new Map(TOPIC_CONFIGS.map(d => [d.name, d]))

export function topicConfigDef (name: string): TopicConfigDef | undefined {
  return byName.get(name)
}

/**
 * Validates topic config overrides as CreateTopics/AlterConfigs do. Throws ConfigError with Kafka's wording;
 * callers answer INVALID_CONFIG.
 */
export function validateTopicConfigs (configs: Iterable<[string, string | null]>): Map<string, ConfigValue> {
  const out = new Map<string, ConfigValue>()
  for (const [name, value] of configs) {
    const def = byName.get(name)
    if (def === undefined) throw new ConfigError(`Unknown topic config name: ${name}`)
    if (value === null) throw new ConfigError(`Null value not supported for topic configs: ${name}`)
    out.set(name, parseValue(def, value))
  }
  return out
}
