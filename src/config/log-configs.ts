// Broker configs of the storage engine that are not the synonym of a topic config (those come from
// topic-config.ts): Kafka's names and defaults, plus samsa.log.durability, samsa's one addition.
// topicLogOptions maps a topic's effective configs onto the options a partition log takes.
import { type ConfigDef, type ConfigValue, atLeast, oneOf, LONG_MAX_STRING } from './config-def.js'
import type { LogOptions } from '../log/partition-log.js'

export const LOG_BROKER_CONFIGS: readonly ConfigDef[] = [
  // os: Kafka's behaviour, acknowledged once written to the page cache. fsync: acknowledged once a
  // group commit has fsynced it (see docs/storage.md for what each costs).
  { name: 'samsa.log.durability', type: 'string', default: 'os', validate: oneOf('os', 'fsync') },
  { name: 'log.retention.check.interval.ms', type: 'long', default: '300000', validate: atLeast(1n) },
  { name: 'log.flush.scheduler.interval.ms', type: 'long', default: LONG_MAX_STRING },
  { name: 'log.cleaner.enable', type: 'boolean', default: 'true' },
  { name: 'log.cleaner.backoff.ms', type: 'long', default: '15000', validate: atLeast(0n) },
  { name: 'log.cleaner.dedupe.buffer.size', type: 'long', default: '134217728' },
  { name: 'log.cleaner.io.buffer.load.factor', type: 'double', default: '0.9' },
  // Kafka leaves the millisecond forms unset so the coarser units behind them apply (KafkaConfig's
  // logRetentionTimeMillis and friends); dynamic-broker-config.ts resolves the chain.
  { name: 'log.retention.ms', type: 'long', default: null, validate: atLeast(-1n) },
  { name: 'log.retention.minutes', type: 'int', default: null },
  { name: 'log.retention.hours', type: 'int', default: '168' },
  { name: 'log.roll.ms', type: 'long', default: null, validate: atLeast(1n) },
  { name: 'log.roll.hours', type: 'int', default: '168', validate: atLeast(1) },
  { name: 'log.roll.jitter.ms', type: 'long', default: null, validate: atLeast(0n) },
  { name: 'log.roll.jitter.hours', type: 'int', default: '0', validate: atLeast(0) },
  { name: 'log.flush.interval.ms', type: 'long', default: null, validate: atLeast(0n) }
]

/** Kafka's offset map entry: a 16-byte MD5 of the key plus an 8-byte offset. */
const OFFSET_MAP_ENTRY_BYTES = 24

/** How many keys one cleaning pass may map (Kafka: dedupe buffer / entry size × load factor, one cleaner thread). */
export function maxCleanerMapEntries (dedupeBufferSize: bigint | number, loadFactor: number): number {
  return Math.max(1, Math.floor(Number(dedupeBufferSize) / OFFSET_MAP_ENTRY_BYTES * loadFactor))
}

const asNumber = (v: ConfigValue | null): number => typeof v === 'bigint' ? Number(v) : v as number

/**
 * The log options that follow a topic's configs; `get` answers a topic config's effective value
 * (Broker.topicConfig). What the broker passes for segment.bytes and the indexes stays as it is.
 */
export function topicLogOptions (get: (name: string) => ConfigValue | null): Pick<LogOptions, 'segmentMs' | 'segmentJitterMs' | 'flushMessages'> {
  return {
    segmentMs: asNumber(get('segment.ms')),
    segmentJitterMs: asNumber(get('segment.jitter.ms')),
    flushMessages: asNumber(get('flush.messages'))
  }
}
