// Kafka's GroupConfig (KIP-848 group configs): per-group overrides of the broker's consumer-group session
// timeout and heartbeat interval, stored as GROUP ConfigRecords. Values fall back to the broker's
// group.consumer.* settings and must stay inside its min/max bounds, as Kafka's GroupConfig.validate
// checks. Kafka's share.* and streams.* group configs are left out: samsa runs neither kind of group.
import { ConfigError, atLeast, parseValue, type ConfigDef } from './config-def.js'
import type { MetadataImage } from '../metadata/image.js'

export const GROUP_CONFIG_RESOURCE = 32

export const GROUP_CONFIGS: ConfigDef[] = [
  { name: 'consumer.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1) },
  { name: 'consumer.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1) }
]

/** The broker config each group config defaults to. */
export const GROUP_CONFIG_BROKER_DEFAULT: Readonly<Record<string, string>> = {
  'consumer.session.timeout.ms': 'group.consumer.session.timeout.ms',
  'consumer.heartbeat.interval.ms': 'group.consumer.heartbeat.interval.ms'
}

export const GROUP_CONFIG_DOCS: Readonly<Record<string, string>> = {
  'consumer.session.timeout.ms': 'The timeout to detect client failures when using the consumer group protocol.',
  'consumer.heartbeat.interval.ms': 'The heartbeat interval given to the members of a consumer group.'
}

export function groupConfigDef (name: string): ConfigDef | undefined {
  return GROUP_CONFIGS.find(d => d.name === name)
}

/**
 * Checks a group's whole override set; `broker` reads an int broker config (the defaults and bounds).
 * Throws ConfigError with Kafka's wording.
 */
export function validateGroupConfigs (configs: ReadonlyMap<string, string>, broker: (name: string) => number): void {
  for (const name of configs.keys()) if (groupConfigDef(name) === undefined) throw new ConfigError(`Unknown group config name: ${name}`)
  const value = (name: string): number => {
    const raw = configs.get(name)
    return raw === undefined ? broker(GROUP_CONFIG_BROKER_DEFAULT[name]!) : parseValue(groupConfigDef(name)!, raw) as number
  }
  const heartbeat = value('consumer.heartbeat.interval.ms')
  const session = value('consumer.session.timeout.ms')
  const bound = (name: string, v: number, min: string, max: string): void => {
    if (v < broker(min)) throw new ConfigError(`${name} must be greater than or equal to ${min}`)
    if (v > broker(max)) throw new ConfigError(`${name} must be less than or equal to ${max}`)
  }
  bound('consumer.heartbeat.interval.ms', heartbeat, 'group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms')
  bound('consumer.session.timeout.ms', session, 'group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms')
  if (session <= heartbeat) throw new ConfigError('consumer.session.timeout.ms must be greater than consumer.heartbeat.interval.ms')
}

/** A group's value of an int group config, or `fallback` (the broker's) when the group has none. */
export function groupConfigInt (image: MetadataImage, groupId: string, name: string, fallback: number): number {
  const raw = image.otherConfigs.get(`${GROUP_CONFIG_RESOURCE}:${groupId}`)?.get(name)
  return raw === undefined ? fallback : Number(raw)
}
