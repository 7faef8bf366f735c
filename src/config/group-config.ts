// Kafka 4.3's GroupConfig: per-group overrides for consumer (KIP-848), share and streams groups, stored
// as GROUP ConfigRecords. A config with a broker synonym defaults to the broker's value of it, so a
// broker override shows through DescribeConfigs; the others have fixed defaults. Validation follows
// 4.3's GroupConfig.validate: the group's overrides are laid over the broker's group defaults, the
// whole set is parsed (ConfigDef order), then each value is held to the broker's min/max bounds and
// every session timeout must exceed its heartbeat interval. samsa runs no share or streams groups, so
// only consumer.session.timeout.ms and consumer.heartbeat.interval.ms change behaviour; the rest are
// kept, described and validated so tools see what Kafka shows.
import { ConfigError, atLeast, oneOf, parseValue, type ConfigDef, type ConfigValue } from './config-def.js'
import { GROUP_CONFIG_DOCS } from './config-docs.js'
import type { MetadataImage } from '../metadata/image.js'

export { GROUP_CONFIG_DOCS }

export const GROUP_CONFIG_RESOURCE = 32

export interface GroupConfigDef extends ConfigDef {
  /** The broker config this one defaults to (GroupCoordinatorConfig/ShareGroupConfig.extractGroupConfigMap). */
  brokerDefault?: string
}

const SHARE_RESET_MESSAGE = "The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS.>'."

/** ShareGroupAutoOffsetResetStrategy.Validator, whose ConfigException wraps its own sentence. */
function shareAutoOffsetReset (v: ConfigValue, name: string): string | undefined {
  if (typeof v !== 'string' || isShareResetStrategy(v)) return undefined
  return `Invalid value \`${v}\` for configuration ${name}. ${SHARE_RESET_MESSAGE}`
}

/** AutoOffsetResetStrategy.fromString as share groups accept it: earliest, latest or by_duration:<ISO-8601, not negative>. */
export function isShareResetStrategy (s: string): boolean {
  if (s === 'earliest' || s === 'latest') return true
  if (!s.startsWith('by_duration:')) return false
  const seconds = javaDurationSeconds(s.slice('by_duration:'.length))
  return seconds !== undefined && seconds >= 0
}

/** java.time.Duration.parse's total in seconds (fraction kept), or undefined when the text is not one. */
function javaDurationSeconds (text: string): number | undefined {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?)(\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text)
  if (m === null) return undefined
  const [, sign, days, t, hours, minutes, secSign, secs, frac] = m
  if (days === undefined && t === undefined) return undefined
  if (t !== undefined && hours === undefined && minutes === undefined && secs === undefined) return undefined
  const n = (x: string | undefined): number => x === undefined ? 0 : Number(x)
  const s = (n(secs) + Number(`0.${frac ?? '0'}`)) * (secSign === '-' ? -1 : 1)
  const total = n(days) * 86400 + n(hours) * 3600 + n(minutes) * 60 + s
  return sign === '-' ? -total : total
}

// Kafka's define order, which is also the order ConfigDef.parse reports the first bad value in.
export const GROUP_CONFIGS: readonly GroupConfigDef[] = [
  { name: 'consumer.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1), brokerDefault: 'group.consumer.session.timeout.ms' },
  { name: 'consumer.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1), brokerDefault: 'group.consumer.heartbeat.interval.ms' },
  { name: 'consumer.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0), brokerDefault: 'group.consumer.assignment.interval.ms' },
  { name: 'share.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1), brokerDefault: 'group.share.session.timeout.ms' },
  { name: 'share.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1), brokerDefault: 'group.share.heartbeat.interval.ms' },
  { name: 'share.record.lock.duration.ms', type: 'int', default: '30000', validate: atLeast(1000), brokerDefault: 'group.share.record.lock.duration.ms' },
  { name: 'share.delivery.count.limit', type: 'int', default: '5', validate: atLeast(2), brokerDefault: 'group.share.delivery.count.limit' },
  { name: 'share.partition.max.record.locks', type: 'int', default: '2000', validate: atLeast(100), brokerDefault: 'group.share.partition.max.record.locks' },
  { name: 'share.auto.offset.reset', type: 'string', default: 'latest', validate: shareAutoOffsetReset },
  { name: 'share.isolation.level', type: 'string', default: 'read_uncommitted', validate: oneOf('read_committed', 'read_uncommitted') },
  { name: 'share.renew.acknowledge.enable', type: 'boolean', default: 'true' },
  { name: 'share.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0), brokerDefault: 'group.share.assignment.interval.ms' },
  { name: 'streams.session.timeout.ms', type: 'int', default: '45000', validate: atLeast(1), brokerDefault: 'group.streams.session.timeout.ms' },
  { name: 'streams.heartbeat.interval.ms', type: 'int', default: '5000', validate: atLeast(1), brokerDefault: 'group.streams.heartbeat.interval.ms' },
  { name: 'streams.num.standby.replicas', type: 'int', default: '0', validate: atLeast(0), brokerDefault: 'group.streams.num.standby.replicas' },
  { name: 'streams.initial.rebalance.delay.ms', type: 'int', default: '3000', validate: atLeast(0), brokerDefault: 'group.streams.initial.rebalance.delay.ms' },
  { name: 'streams.assignment.interval.ms', type: 'int', default: '1000', validate: atLeast(0), brokerDefault: 'group.streams.assignment.interval.ms' }
]

/** The broker config each group config defaults to (only those that have one). */
export const GROUP_CONFIG_BROKER_DEFAULT: Readonly<Record<string, string>> = Object.fromEntries(
  GROUP_CONFIGS.flatMap(d => d.brokerDefault === undefined ? [] : [[d.name, d.brokerDefault]])
)

export function groupConfigDef (name: string): GroupConfigDef | undefined {
  return GROUP_CONFIGS.find(d => d.name === name)
}

/** What a group without an override of `def` gets: the broker's value of its synonym, else Kafka's fixed default. */
export function groupConfigDefault (def: GroupConfigDef, broker: (name: string) => number): string {
  return def.brokerDefault === undefined ? def.default! : String(broker(def.brokerDefault))
}

/** [group config, broker min, broker max]; a missing min means only the upper bound is checked. */
type Bound = readonly [string, string | undefined, string]

// 4.3's validateValues order: consumer, share, streams, then the session-over-heartbeat rules.
const BOUNDS: readonly Bound[] = [
  ['consumer.heartbeat.interval.ms', 'group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms'],
  ['consumer.session.timeout.ms', 'group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms'],
  ['consumer.assignment.interval.ms', 'group.consumer.min.assignment.interval.ms', 'group.consumer.max.assignment.interval.ms'],
  ['share.heartbeat.interval.ms', 'group.share.min.heartbeat.interval.ms', 'group.share.max.heartbeat.interval.ms'],
  ['share.session.timeout.ms', 'group.share.min.session.timeout.ms', 'group.share.max.session.timeout.ms'],
  ['share.record.lock.duration.ms', 'group.share.min.record.lock.duration.ms', 'group.share.max.record.lock.duration.ms'],
  ['share.delivery.count.limit', 'group.share.min.delivery.count.limit', 'group.share.max.delivery.count.limit'],
  ['share.partition.max.record.locks', 'group.share.min.partition.max.record.locks', 'group.share.max.partition.max.record.locks'],
  ['share.assignment.interval.ms', 'group.share.min.assignment.interval.ms', 'group.share.max.assignment.interval.ms'],
  ['streams.heartbeat.interval.ms', 'group.streams.min.heartbeat.interval.ms', 'group.streams.max.heartbeat.interval.ms'],
  ['streams.session.timeout.ms', 'group.streams.min.session.timeout.ms', 'group.streams.max.session.timeout.ms'],
  ['streams.num.standby.replicas', undefined, 'group.streams.max.standby.replicas'],
  ['streams.assignment.interval.ms', 'group.streams.min.assignment.interval.ms', 'group.streams.max.assignment.interval.ms']
]

const SESSION_OVER_HEARTBEAT: ReadonlyArray<readonly [string, string]> = [
  ['consumer.session.timeout.ms', 'consumer.heartbeat.interval.ms'],
  ['share.session.timeout.ms', 'share.heartbeat.interval.ms'],
  ['streams.session.timeout.ms', 'streams.heartbeat.interval.ms']
]

/**
 * Checks a group's whole override set; `broker` reads an int broker config (the defaults and bounds).
 * Throws ConfigError with Kafka's wording.
 */
export function validateGroupConfigs (configs: ReadonlyMap<string, string>, broker: (name: string) => number): void {
  for (const name of configs.keys()) if (groupConfigDef(name) === undefined) throw new ConfigError(`Unknown group config name: ${name}`)
  const values = new Map<string, ConfigValue>()
  for (const def of GROUP_CONFIGS) {
    const raw = configs.get(def.name)
    if (raw !== undefined) values.set(def.name, parseValue(def, raw))
    else if (def.brokerDefault !== undefined) values.set(def.name, broker(def.brokerDefault))
  }
  const int = (name: string): number => values.get(name) as number
  for (const [name, min, max] of BOUNDS) {
    if (min !== undefined && int(name) < broker(min)) throw new ConfigError(`${name} must be greater than or equal to ${min}`)
    if (int(name) > broker(max)) throw new ConfigError(`${name} must be less than or equal to ${max}`)
  }
  for (const [session, heartbeat] of SESSION_OVER_HEARTBEAT) {
    if (int(session) <= int(heartbeat)) throw new ConfigError(`${session} must be greater than ${heartbeat}`)
  }
}

/** A group's value of an int group config, or `fallback` (the broker's) when the group has none. */
export function groupConfigInt (image: MetadataImage, groupId: string, name: string, fallback: number): number {
  const raw = image.otherConfigs.get(`${GROUP_CONFIG_RESOURCE}:${groupId}`)?.get(name)
  return raw === undefined ? fallback : Number(raw)
}
