// Kafka's dynamic broker configuration (KIP-226) over samsa's static BrokerConfig: values set per broker
// (resource BROKER "<node id>") win over the cluster default (BROKER ""), which wins over the config file,
// which wins over the built-in default. Also Kafka's synonym chains (log.retention.ms → minutes → hours),
// used both to resolve a value and to report DescribeConfigs synonyms in Kafka's order.
import type { BrokerConfig } from './broker-config.js'
import { brokerConfigDef } from './broker-config.js'
import { TOPIC_CONFIGS } from './topic-config.js'
import { type ConfigValue, formatValue, parseValue } from './config-def.js'

/** DescribeConfigsResponse ConfigSource ids. */
export const SOURCE = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8
} as const

export interface ConfigLayers {
  /** Dynamic configs of this broker (resource BROKER "<node id>"). */
  perBroker: ReadonlyMap<string, string>
  /** Dynamic cluster-wide defaults (resource BROKER ""). */
  clusterDefault: ReadonlyMap<string, string>
  static: BrokerConfig
}

export interface Synonym { name: string, value: string | null, source: number }

/**
 * The broker configs that can change without a restart. Kafka's set is the broker defaults of topic
 * configs plus thread pools, cleaner, listener, security and quota settings; samsa takes the topic
 * defaults, which it reads on each request or maintenance pass. The others are read at start-up only,
 * so they are refused as Kafka refuses its own static configs.
 */
export const DYNAMIC_BROKER_CONFIGS: ReadonlySet<string> = new Set(
  TOPIC_CONFIGS.flatMap(d => d.brokerSynonym === undefined ? [] : [d.brokerSynonym])
)

/** Kafka's DynamicBrokerConfig.brokerConfigSynonyms: the names that give one setting, most specific first. */
export function brokerConfigSynonyms (name: string): string[] {
  switch (name) {
    case 'log.roll.ms': case 'log.roll.hours': return ['log.roll.ms', 'log.roll.hours']
    case 'log.roll.jitter.ms': case 'log.roll.jitter.hours': return ['log.roll.jitter.ms', 'log.roll.jitter.hours']
    case 'log.flush.interval.ms': return ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']
    case 'log.retention.ms': case 'log.retention.minutes': case 'log.retention.hours':
      return ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']
    default: return [name]
  }
}

/** One broker config merged over the layers (no synonym chain). */
export function layeredValue (layers: ConfigLayers, name: string): ConfigValue | null {
  const raw = layers.perBroker.get(name) ?? layers.clusterDefault.get(name)
  const def = brokerConfigDef(name)
  if (raw !== undefined && def !== undefined) return parseValue(def, raw)
  return def === undefined ? null : layers.static.get(name)
}

const MS_PER_MINUTE = 60_000n
const MS_PER_HOUR = 3_600_000n
const big = (v: ConfigValue | null): bigint | null => v === null ? null : BigInt(v as number | bigint)

/**
 * The value a topic config falls back to: its broker synonym, resolved through Kafka's chains
 * (KafkaConfig.logRetentionTimeMillis, logRollTimeMillis, logRollTimeJitterMillis, logFlushIntervalMs).
 */
export function brokerDefaultOf (layers: ConfigLayers, synonym: string): ConfigValue | null {
  const get = (n: string): ConfigValue | null => layeredValue(layers, n)
  switch (synonym) {
    case 'log.retention.ms': {
      const ms = big(get('log.retention.ms')) ??
        (get('log.retention.minutes') !== null ? big(get('log.retention.minutes'))! * MS_PER_MINUTE : big(get('log.retention.hours'))! * MS_PER_HOUR)
      return ms < 0n ? -1n : ms
    }
    case 'log.roll.ms': return big(get('log.roll.ms')) ?? big(get('log.roll.hours'))! * MS_PER_HOUR
    case 'log.roll.jitter.ms': return big(get('log.roll.jitter.ms')) ?? big(get('log.roll.jitter.hours'))! * MS_PER_HOUR
    case 'log.flush.interval.ms': return big(get('log.flush.interval.ms')) ?? big(get('log.flush.scheduler.interval.ms'))
    default: return get(synonym)
  }
}

/**
 * Kafka's ConfigHelper.configSynonyms: for each layer (dynamic broker, dynamic default, static, default)
 * each synonym that has a value there, then everything before the first entry named `name` dropped.
 */
export function configSynonyms (layers: ConfigLayers, name: string, synonyms: string[], sensitive: boolean): Synonym[] {
  const out: Synonym[] = []
  const add = (source: number, valueOf: (n: string) => string | null | undefined): void => {
    for (const n of synonyms) {
      const v = valueOf(n)
      if (v !== undefined && v !== null) out.push({ name: n, value: sensitive ? null : v, source })
    }
  }
  add(SOURCE.DYNAMIC_BROKER_CONFIG, n => layers.perBroker.get(n))
  add(SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG, n => layers.clusterDefault.get(n))
  add(SOURCE.STATIC_BROKER_CONFIG, n => layers.static.explicit.has(n) ? formatValue(layers.static.get(n)) : undefined)
  add(SOURCE.DEFAULT_CONFIG, n => brokerConfigDef(n)?.default)
  const first = out.findIndex(s => s.name === name)
  return first === -1 ? [] : out.slice(first)
}
