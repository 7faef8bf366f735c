// DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for TOPIC, BROKER, BROKER_LOGGER, GROUP and
// CLIENT_METRICS resources,
// as Kafka 4.x splits them: the broker's preprocessing (ConfigAdminManager: duplicates, nulls, broker
// names, dynamic-config validation, log levels) and the controller's step (ConfigurationControlManager:
// the incremental operations, topic existence and LogConfig validation, ConfigRecords). Changes are
// ConfigRecords through the controller, so they are in the image (and thus live) when the answer goes out,
// and replayed from the metadata log after a restart. Log levels are not persisted, as in Kafka.
import { ErrorCode, ERRORS } from '../wire/generated/errors.js'
import { ConfigError, formatValue, parseValue, type ConfigDef, type ConfigType } from '../config/config-def.js'
import { TOPIC_CONFIGS, topicConfigDef, validateTopicConfigs } from '../config/topic-config.js'
import { BROKER_CONFIGS, brokerConfigDef } from '../config/broker-config.js'
import { TOPIC_CONFIG_DOCS, brokerDoc } from '../config/config-docs.js'
import {
  SOURCE, DYNAMIC_BROKER_CONFIGS, brokerConfigSynonyms, configSynonyms, layeredValue,
  type ConfigLayers, type Synonym
} from '../config/dynamic-broker-config.js'
import { topicNameError } from './topic-names.js'
import { GROUP_CONFIGS, GROUP_CONFIG_DOCS, groupConfigDef, groupConfigDefault, validateGroupConfigs } from '../config/group-config.js'
import { CLIENT_METRICS_CONFIGS, CLIENT_METRICS_DOCS, ClientMetricsConfigError, clientMetricsConfigDef, validateClientMetricsConfigs } from '../config/client-metrics-config.js'
import { TOPIC_RESOURCE, BROKER_RESOURCE, type MetadataRecord, type MetadataImage } from '../metadata/image.js'
import type { Broker } from './broker.js'

export const BROKER_LOGGER_RESOURCE = 8
export const CLIENT_METRICS_RESOURCE = 16
export const GROUP_RESOURCE = 32
const KNOWN_RESOURCE_TYPES = new Set([TOPIC_RESOURCE, BROKER_RESOURCE, BROKER_LOGGER_RESOURCE, CLIENT_METRICS_RESOURCE, GROUP_RESOURCE])

export const OP = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const
/** ConfigurationControlManager refuses a value longer than a ConfigRecord's Short.MAX_VALUE. */
const MAX_CONFIG_VALUE_LENGTH = 32767
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT']

/** The one logger samsa has (pino's root; connection and coordinator loggers inherit its level). */
export const ROOT_LOGGER = 'root'
const KAFKA_LEVELS = ['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE']
/** RuntimeLoggerManager lists the valid levels sorted by name. */
const KAFKA_LEVELS_SORTED = [...KAFKA_LEVELS].sort().join(', ')

export class ConfigApiError extends Error {
  constructor (readonly code: number, message: string | null) { super(message ?? '') }
  get errorMessage (): string | null { return this.message === '' ? null : this.message }
}
const invalidRequest = (m: string): ConfigApiError => new ConfigApiError(ErrorCode.INVALID_REQUEST, m)
const invalidConfig = (m: string): ConfigApiError => new ConfigApiError(ErrorCode.INVALID_CONFIG, m)

export interface ConfigEntry {
  name: string
  value: string | null
  readOnly: boolean
  configSource: number
  isSensitive: boolean
  synonyms: Synonym[]
  configType: number
  documentation: string | null
}

export interface DescribeResource { resourceType: number, resourceName: string, configurationKeys: string[] | null }
export interface DescribeResult { errorCode: number, errorMessage: string | null, resourceType: number, resourceName: string, configs: ConfigEntry[] }

/** DescribeConfigsResponse ConfigType ids. */
function configTypeId (t: ConfigType | undefined): number {
  switch (t) {
    case 'boolean': return 1
    case 'string': return 2
    case 'int': return 3
    case 'long': return 5
    case 'double': return 6
    case 'list': return 7
    case 'password': return 9
    default: return 0
  }
}

export function configLayers (broker: Broker, image: MetadataImage = broker.metadata.image): ConfigLayers {
  const empty = new Map<string, string>()
  return {
    perBroker: image.otherConfigs.get(`${BROKER_RESOURCE}:${broker.nodeId}`) ?? empty,
    clusterDefault: image.otherConfigs.get(`${BROKER_RESOURCE}:`) ?? empty,
    static: broker.config
  }
}

/** Every config of a topic (overrides in `overrides`), with Kafka's sources and synonyms. */
export function topicConfigEntries (broker: Broker, overrides: ReadonlyMap<string, string>, includeSynonyms: boolean, includeDocumentation: boolean, layers = configLayers(broker)): ConfigEntry[] {
  return TOPIC_CONFIGS.map(def => {
    const override = overrides.get(def.name)
    const value = formatValue(broker.topicConfig({ configs: overrides }, def.name))
    const all = def.brokerSynonym === undefined ? [] : configSynonyms(layers, def.brokerSynonym, brokerConfigSynonyms(def.brokerSynonym), false)
    if (override !== undefined) all.unshift({ name: def.name, value, source: SOURCE.DYNAMIC_TOPIC_CONFIG })
    return {
      name: def.name,
      value,
      readOnly: false,
      configSource: all[0]?.source ?? SOURCE.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: includeSynonyms ? all : [],
      configType: configTypeId(def.type),
      documentation: includeDocumentation ? TOPIC_CONFIG_DOCS[def.name] ?? null : null
    }
  })
}

const topicSynonymOf = new Map(TOPIC_CONFIGS.flatMap(d => d.brokerSynonym === undefined ? [] : [[d.brokerSynonym, d.name] as const]))

function brokerEntry (layers: ConfigLayers, name: string, value: string | null, perBroker: boolean, includeSynonyms: boolean, includeDocumentation: boolean): ConfigEntry {
  const def = brokerConfigDef(name)
  const sensitive = def?.type === 'password'
  const all = configSynonyms(layers, name, brokerConfigSynonyms(name), sensitive)
    .filter(s => perBroker || s.source === SOURCE.DYNAMIC_DEFAULT_BROKER_CONFIG)
  return {
    name,
    value: sensitive ? null : value,
    readOnly: !DYNAMIC_BROKER_CONFIGS.has(name),
    configSource: all[0]?.source ?? SOURCE.DEFAULT_CONFIG,
    isSensitive: sensitive,
    synonyms: includeSynonyms ? all : [],
    configType: configTypeId(def?.type),
    documentation: includeDocumentation ? brokerDoc(name, topicSynonymOf.get(name)) : null
  }
}

/** Java's Integer.parseInt: no surrounding spaces, an optional sign, within 32 bits. */
function javaInt (name: string): number | undefined {
  if (!/^[+-]?\d+$/.test(name)) return undefined
  const n = Number(name)
  return n < -0x80000000 || n > 0x7fffffff ? undefined : n
}

function parseNodeId (name: string, what: 'Broker' | 'Node'): number {
  const n = javaInt(name)
  if (n === undefined) throw invalidRequest(`${what} id must be an integer, but it is: ${name}`)
  return n
}

/** Kafka's level names for pino's. */
function kafkaLevel (pinoLevel: string): string {
  return pinoLevel === 'silent' ? 'OFF' : pinoLevel.toUpperCase()
}

/** An int broker config over the dynamic layers (group defaults and bounds). */
const brokerInt = (layers: ConfigLayers) => (name: string): number => Number(layeredValue(layers, name))

/** Every group config: the group's own value (GROUP_CONFIG) or the broker's (DEFAULT_CONFIG), as Kafka's ConfigHelper reports them. */
function groupConfigEntries (layers: ConfigLayers, overrides: ReadonlyMap<string, string>, includeSynonyms: boolean, includeDocumentation: boolean): ConfigEntry[] {
  return GROUP_CONFIGS.map(def => {
    const own = overrides.get(def.name)
    let value = own ?? groupConfigDefault(def, brokerInt(layers))
    // GroupConfig holds parsed values, so a stored ' 6000' or 'TRUE' is described as 6000 and true.
    if (own !== undefined) {
      try {
        value = formatValue(parseValue(def, own)) ?? own
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
      }
    }
    const source = own === undefined ? SOURCE.DEFAULT_CONFIG : SOURCE.GROUP_CONFIG
    return {
      name: def.name,
      value,
      readOnly: false,
      configSource: source,
      isSensitive: false,
      synonyms: includeSynonyms ? [{ name: def.name, value, source }] : [],
      configType: configTypeId(def.type),
      documentation: includeDocumentation ? GROUP_CONFIG_DOCS[def.name] ?? null : null
    }
  })
}

/**
 * Every client-metrics config, as ConfigHelper lists a ClientMetricsConfigs (defaults included): a set
 * value is CLIENT_METRICS_CONFIG with itself as the one synonym, an unset one DEFAULT_CONFIG with none.
 */
function clientMetricsEntries (configs: ReadonlyMap<string, string>, includeSynonyms: boolean, includeDocumentation: boolean): ConfigEntry[] {
  // Kafka iterates a HashMap of the three names; its bucket order (interval.ms, match, metrics) is also their name order.
  return [...CLIENT_METRICS_CONFIGS].sort((a, b) => a.name < b.name ? -1 : 1).map(def => {
    const own = configs.get(def.name)
    let value = own ?? def.default
    if (own !== undefined) {
      try {
        value = formatValue(parseValue(def, own))
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e
      }
    }
    const set = own !== undefined
    return {
      name: def.name,
      value,
      readOnly: false,
      configSource: set ? SOURCE.CLIENT_METRICS_CONFIG : SOURCE.DEFAULT_CONFIG,
      isSensitive: false,
      synonyms: includeSynonyms && set ? [{ name: def.name, value, source: SOURCE.CLIENT_METRICS_CONFIG }] : [],
      configType: configTypeId(def.type),
      documentation: includeDocumentation ? CLIENT_METRICS_DOCS[def.name] ?? null : null
    }
  })
}

function describeOne (broker: Broker, r: DescribeResource, includeSynonyms: boolean, includeDocumentation: boolean): ConfigEntry[] {
  const layers = configLayers(broker)
  const stored = (): ReadonlyMap<string, string> => broker.metadata.image.otherConfigs.get(`${r.resourceType}:${r.resourceName}`) ?? new Map()
  switch (r.resourceType) {
    case GROUP_RESOURCE:
      if (r.resourceName === '') throw invalidRequest('Group name must not be empty')
      return groupConfigEntries(layers, stored(), includeSynonyms, includeDocumentation)
    case CLIENT_METRICS_RESOURCE:
      if (r.resourceName === '') throw invalidRequest('Client metrics subscription name must not be empty')
      return clientMetricsEntries(stored(), includeSynonyms, includeDocumentation)
    case TOPIC_RESOURCE: {
      const err = topicNameError(r.resourceName)
      if (err !== undefined) throw new ConfigApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, err)
      const t = broker.metadata.image.topicsByName.get(r.resourceName)
      if (t === undefined) throw new ConfigApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null)
      return topicConfigEntries(broker, t.configs, includeSynonyms, includeDocumentation, layers)
    }
    case BROKER_RESOURCE: {
      if (r.resourceName === '') {
        return [...layers.clusterDefault].sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => brokerEntry(layers, name, value, false, includeSynonyms, includeDocumentation))
      }
      if (parseNodeId(r.resourceName, 'Broker') !== broker.nodeId) {
        throw invalidRequest(`Unexpected broker id, expected ${broker.nodeId} or empty string, but received ${r.resourceName}`)
      }
      // Custom (unknown) names set dynamically are reported too, as Kafka reports its config's originals.
      const names = new Set([...BROKER_CONFIGS.map(d => d.name), ...layers.clusterDefault.keys(), ...layers.perBroker.keys()])
      return [...names].sort().map(name => {
        const def = brokerConfigDef(name)
        const value = def === undefined ? layers.perBroker.get(name) ?? layers.clusterDefault.get(name) ?? null : formatValue(layeredValue(layers, name))
        return brokerEntry(layers, name, value, true, includeSynonyms, includeDocumentation)
      })
    }
    case BROKER_LOGGER_RESOURCE:
      if (r.resourceName === '') throw invalidRequest('Broker id must not be empty')
      if (parseNodeId(r.resourceName, 'Broker') !== broker.nodeId) throw invalidRequest(`Unexpected broker id, expected ${broker.nodeId} but received ${r.resourceName}`)
      return [{
        name: ROOT_LOGGER,
        value: kafkaLevel(broker.log.level),
        readOnly: false,
        configSource: SOURCE.DYNAMIC_BROKER_LOGGER_CONFIG,
        isSensitive: false,
        synonyms: [],
        configType: 0,
        documentation: null
      }]
    default:
      throw invalidRequest(`Unsupported resource type: ${resourceTypeName(r.resourceType)}`)
  }
}

function resourceTypeName (t: number): string {
  switch (t) {
    case CLIENT_METRICS_RESOURCE: return 'CLIENT_METRICS'
    case GROUP_RESOURCE: return 'GROUP'
    default: return 'UNKNOWN'
  }
}

export function describeConfigs (broker: Broker, resources: DescribeResource[], includeSynonyms: boolean, includeDocumentation: boolean): DescribeResult[] {
  // Kafka sorts resources by type before it looks at them, and an unknown type fails the whole request.
  if (resources.some(r => !KNOWN_RESOURCE_TYPES.has(r.resourceType))) {
    return resources.map(r => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: defaultMessage(ErrorCode.INVALID_REQUEST), resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }))
  }
  return resources.map(r => {
    try {
      const entries = describeOne(broker, r, includeSynonyms, includeDocumentation)
      const keys = r.configurationKeys
      // ConfigHelperUtils: a null or empty key list asks for every config.
      const all = keys === null || keys.length === 0
      return { errorCode: 0, errorMessage: null, resourceType: r.resourceType, resourceName: r.resourceName, configs: all ? entries : entries.filter(e => keys.includes(e.name)) }
    } catch (e) {
      if (!(e instanceof ConfigApiError)) throw e
      return { errorCode: e.code, errorMessage: e.errorMessage, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] }
    }
  })
}

function defaultMessage (code: number): string | null {
  return ERRORS.find(e => e.code === code)?.message ?? null
}

// ---- altering

export interface AlterOp { name: string, op: number, value: string | null }
export interface AlterResource { resourceType: number, resourceName: string, configs: AlterOp[] }
export interface AlterResult { errorCode: number, errorMessage: string | null, resourceType: number, resourceName: string }

/** The new override set of a resource after the operations (null value: removed). */
type Plan = (current: ReadonlyMap<string, string>) => Map<string, string>

/** LIST configs APPEND to, starting from the schema default when unset (ConfigurationControlManager.getParts). */
function listParts (current: string | undefined, def: ConfigDef | undefined): string[] {
  const v = current ?? def?.default ?? ''
  return v === '' ? [] : v.split(',')
}

/** The controller's incremental operations (topics, groups, client metrics: `defOf` gives the schema). */
function incrementalTopicPlan (ops: AlterOp[], defOf: (name: string) => ConfigDef | undefined = topicConfigDef): Plan {
  return current => {
    const next = new Map(current)
    for (const o of ops) {
      const def = defOf(o.name)
      switch (o.op) {
        case OP.SET: next.set(o.name, o.value!); break
        case OP.DELETE: next.delete(o.name); break
        case OP.APPEND: case OP.SUBTRACT: {
          if (def?.type !== 'list') throw invalidConfig(`Can't ${OP_NAMES[o.op]} to key ${o.name} because its type is not LIST.`)
          const parts = listParts(next.get(o.name), def)
          for (const v of o.value!.split(',')) {
            if (o.op === OP.APPEND) { if (!parts.includes(v)) parts.push(v) } else {
              const i = parts.indexOf(v)
              if (i !== -1) parts.splice(i, 1)
            }
          }
          next.set(o.name, parts.join(','))
          break
        }
      }
    }
    return next
  }
}

/**
 * The broker's checks (ConfigAdminManager.prepareIncrementalConfigs), then the controller's operations,
 * which compute what is stored. prepareIncrementalConfigs looks the key up with a Scala map's apply, so an
 * APPEND/SUBTRACT of a name the broker does not define fails with NoSuchElementException: an
 * UNKNOWN_SERVER_ERROR without a message, not its dead "Unknown config name" branch.
 */
function incrementalBrokerPlan (ops: AlterOp[]): Plan {
  for (const o of ops) {
    if (o.op !== OP.APPEND && o.op !== OP.SUBTRACT) continue
    const def = brokerConfigDef(o.name)
    if (def === undefined) throw new ConfigApiError(ErrorCode.UNKNOWN_SERVER_ERROR, null)
    if (def.type !== 'list') throw invalidConfig(`Config value ${o.op === OP.APPEND ? 'append' : 'subtract'} is not allowed for config key: ${o.name}`)
  }
  return incrementalTopicPlan(ops, brokerConfigDef)
}

const replacePlan = (ops: AlterOp[]): Plan => () => new Map(ops.map(o => [o.name, o.value!]))

function validateTopicSet (configs: ReadonlyMap<string, string>): void {
  try {
    const parsed = validateTopicConfigs(configs)
    const min = parsed.get('min.compaction.lag.ms') ?? BigInt(topicConfigDef('min.compaction.lag.ms')!.default!)
    const max = parsed.get('max.compaction.lag.ms') ?? BigInt(topicConfigDef('max.compaction.lag.ms')!.default!)
    if ((min as bigint) > (max as bigint)) throw new ConfigError(`conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`)
  } catch (e) {
    if (e instanceof ConfigError) throw invalidConfig(e.message)
    throw e
  }
}

/** Kafka's DynamicBrokerConfig.validateConfigs over the resource's whole resulting set; failures are INVALID_REQUEST. */
function validateBrokerSet (configs: ReadonlyMap<string, string>): void {
  const names = [...configs.keys()]
  const nonDynamic = names.filter(n => brokerConfigDef(n) !== undefined && !DYNAMIC_BROKER_CONFIGS.has(n))
  if (nonDynamic.length > 0) throw invalidRequest(`Cannot update these configs dynamically: ${scalaSet(nonDynamic)}`)
  for (const [n, v] of configs) {
    const def = brokerConfigDef(n)
    if (def === undefined) continue
    try {
      parseValue(def, v)
    } catch (e) {
      if (e instanceof ConfigError) throw invalidRequest(e.message)
      throw e
    }
  }
}

/** How DynamicBrokerConfig's message prints a Scala immutable Set (Set1..Set4, then HashSet). */
function scalaSet (names: string[]): string {
  return `${names.length > 4 ? 'HashSet' : 'Set'}(${names.join(', ')})`
}

function brokerResourceName (broker: Broker, name: string): void {
  if (name === '') return
  if (parseNodeId(name, 'Node') !== broker.nodeId) throw invalidRequest(`Unexpected broker id, expected ${broker.nodeId}, but received ${name}`)
}

function applyLoggerOps (broker: Broker, r: AlterResource, validateOnly: boolean): void {
  // RuntimeLoggerManager.validateResourceNameIsNodeId prints its own id twice (its message names nodeId, not the request's).
  if (javaInt(r.resourceName) === undefined) throw invalidRequest(`Node id must be an integer, but it is: ${r.resourceName}`)
  if (javaInt(r.resourceName) !== broker.nodeId) throw invalidRequest(`Unexpected node id. Expected ${broker.nodeId}, but received ${broker.nodeId}`)
  let level: string | undefined
  for (const o of r.configs) {
    const exists = (): void => { if (o.name !== ROOT_LOGGER) throw invalidConfig(`Logger ${o.name} does not exist!`) }
    switch (o.op) {
      case OP.SET:
        exists()
        if (!KAFKA_LEVELS.includes(o.value!)) throw invalidConfig(`Cannot set the log level of ${o.name} to ${o.value} as it is not a supported log level. Valid log levels are ${KAFKA_LEVELS_SORTED}`)
        level = o.value!.toLowerCase()
        break
      case OP.DELETE:
        exists()
        throw invalidRequest(`Removing the log level of the ${ROOT_LOGGER} logger is not allowed`)
      case OP.APPEND: case OP.SUBTRACT:
        throw invalidRequest(`${OP_NAMES[o.op]} operation is not allowed for the BROKER_LOGGER resource`)
      default:
        throw invalidRequest(`Unknown operation type ${o.op} is not allowed for the BROKER_LOGGER resource`)
    }
  }
  if (!validateOnly && level !== undefined) {
    broker.log.level = level
    broker.log.info({ level }, 'log level changed')
  }
}

/** The broker's preprocessing checks common to both alter APIs. */
function preprocess (r: AlterResource, incremental: boolean): void {
  const names = r.configs.map(c => c.name)
  if (new Set(names).size !== names.length) throw invalidRequest('Error due to duplicate config keys')
  const nulls = r.configs.filter(c => c.value === null && (!incremental || c.op !== OP.DELETE)).map(c => c.name)
  if (nulls.length > 0) throw invalidRequest(`Null value not supported for : ${nulls.join(', ')}`)
  for (const c of r.configs) if (c.op < 0 || c.op > 3) throw invalidRequest(`Unknown operations type ${c.op}`)
}

async function alterOne (broker: Broker, r: AlterResource, incremental: boolean, validateOnly: boolean): Promise<void> {
  preprocess(r, incremental)
  let plan: Plan
  let validate: (c: ReadonlyMap<string, string>) => void
  switch (r.resourceType) {
    case TOPIC_RESOURCE:
      plan = incremental ? incrementalTopicPlan(r.configs) : replacePlan(r.configs)
      // ControllerConfigurationValidator: the name, then the values; existence is checked after both.
      validate = c => {
        if (r.resourceName === '') throw invalidRequest('Default topic resources are not allowed.')
        const err = topicNameError(r.resourceName)
        if (err !== undefined) throw new ConfigApiError(ErrorCode.INVALID_TOPIC_EXCEPTION, err)
        validateTopicSet(c)
      }
      break
    case BROKER_RESOURCE:
      brokerResourceName(broker, r.resourceName)
      plan = incremental ? incrementalBrokerPlan(r.configs) : replacePlan(r.configs)
      validate = validateBrokerSet
      break
    case BROKER_LOGGER_RESOURCE:
      if (!incremental) throw invalidRequest(`Unknown resource type ${r.resourceType}`)
      applyLoggerOps(broker, r, validateOnly)
      return
    case GROUP_RESOURCE: {
      if (r.resourceName === '') throw invalidRequest('Group name must not be empty')
      const bounds = brokerInt(configLayers(broker))
      plan = incremental ? incrementalTopicPlan(r.configs, groupConfigDef) : replacePlan(r.configs)
      validate = c => {
        try {
          validateGroupConfigs(c, bounds)
        } catch (e) {
          if (e instanceof ConfigError) throw invalidConfig(e.message)
          throw e
        }
      }
      break
    }
    case CLIENT_METRICS_RESOURCE:
      if (r.resourceName === '') throw invalidRequest("Subscription name can't be empty")
      plan = incremental ? incrementalTopicPlan(r.configs, clientMetricsConfigDef) : replacePlan(r.configs)
      validate = c => {
        try {
          validateClientMetricsConfigs(c)
        } catch (e) {
          if (e instanceof ClientMetricsConfigError) throw e.request ? invalidRequest(e.message) : invalidConfig(e.message)
          throw e
        }
      }
      break
    default:
      throw invalidRequest(`Unknown resource type ${r.resourceType}`)
  }
  await broker.controller.run(image => {
    const topic = r.resourceType === TOPIC_RESOURCE ? image.topicsByName.get(r.resourceName) : undefined
    const current: ReadonlyMap<string, string> = r.resourceType === TOPIC_RESOURCE
      ? topic?.configs ?? new Map()
      : image.otherConfigs.get(`${r.resourceType}:${r.resourceName}`) ?? new Map()
    const next = plan(current)
    for (const [name, value] of next) {
      // Java counts UTF-16 units, as String.length() does.
      if ((current.get(name) !== value || r.resourceType === BROKER_RESOURCE) && value.length > MAX_CONFIG_VALUE_LENGTH) {
        throw invalidConfig(`The configuration value cannot be added because it exceeds the maximum value size of ${MAX_CONFIG_VALUE_LENGTH} bytes.`)
      }
    }
    validate(next)
    if (r.resourceType === TOPIC_RESOURCE && topic === undefined) throw new ConfigApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${r.resourceName}' does not exist.`)
    const records: MetadataRecord[] = []
    const record = (name: string, value: string | null): void => {
      records.push({ type: 'ConfigRecord', data: { resourceType: r.resourceType, resourceName: r.resourceName, name, value } })
    }
    for (const [name, value] of next) {
      // Broker configs are always written, as Kafka does, so a broker re-reads them even when unchanged.
      if (current.get(name) !== value || r.resourceType === BROKER_RESOURCE) record(name, value)
    }
    for (const name of current.keys()) if (!next.has(name)) record(name, null)
    return { records: validateOnly ? [] : records, result: undefined }
  })
}

async function alterAll (broker: Broker, resources: AlterResource[], incremental: boolean, validateOnly: boolean): Promise<AlterResult[]> {
  const counts = new Map<string, number>()
  const key = (r: AlterResource): string => `${r.resourceType}:${r.resourceName}`
  for (const r of resources) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1)
  const out: AlterResult[] = []
  for (const r of resources) {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName }
    if (counts.get(key(r))! > 1) {
      out.push({ ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' })
      continue
    }
    try {
      await alterOne(broker, r, incremental, validateOnly)
      out.push({ ...base, errorCode: 0, errorMessage: null })
    } catch (e) {
      if (!(e instanceof ConfigApiError)) throw e
      out.push({ ...base, errorCode: e.code, errorMessage: e.errorMessage })
    }
  }
  return out
}

/** AlterConfigs: the given configs replace every override of the resource. */
export async function alterConfigs (broker: Broker, resources: { resourceType: number, resourceName: string, configs: { name: string, value: string | null }[] }[], validateOnly: boolean): Promise<AlterResult[]> {
  return await alterAll(broker, resources.map(r => ({ ...r, configs: r.configs.map(c => ({ ...c, op: OP.SET })) })), false, validateOnly)
}

/** IncrementalAlterConfigs: SET, DELETE, APPEND and SUBTRACT on single keys. */
export async function incrementalAlterConfigs (broker: Broker, resources: { resourceType: number, resourceName: string, configs: { name: string, configOperation: number, value: string | null }[] }[], validateOnly: boolean): Promise<AlterResult[]> {
  return await alterAll(broker, resources.map(r => ({ ...r, configs: r.configs.map(c => ({ name: c.name, op: c.configOperation, value: c.value })) })), true, validateOnly)
}
