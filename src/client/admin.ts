// Topic, config and cluster administration over KafkaClient. Optional APIs (configs, partitions,
// DescribeCluster) are used only when the broker advertises them; otherwise callers get an
// UnsupportedApiError naming what is missing, or a documented fallback.
import { API, type KafkaClient } from './client.js'
import { check, KafkaError, UnsupportedApiError } from './errors.js'
import type { Connection } from './connection.js'
import type { CreateTopicsResponse } from '../wire/generated/create-topics.js'
import type { DeleteTopicsResponse } from '../wire/generated/delete-topics.js'
import type { DescribeConfigsResponse } from '../wire/generated/describe-configs.js'
import type { AlterConfigsResponse } from '../wire/generated/alter-configs.js'
import type { IncrementalAlterConfigsResponse } from '../wire/generated/incremental-alter-configs.js'
import type { CreatePartitionsResponse } from '../wire/generated/create-partitions.js'
import type { DescribeClusterResponse } from '../wire/generated/describe-cluster.js'

export const ResourceType = { TOPIC: 2, BROKER: 4 } as const

/** Kafka's ConfigSource ids, as DescribeConfigs v1+ reports them. */
export const CONFIG_SOURCES: Readonly<Record<number, string>> = {
  0: 'UNKNOWN',
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
  7: 'CLIENT_METRICS_CONFIG',
  8: 'GROUP_CONFIG'
}

const TIMEOUT_MS = 30000

export interface NewTopic {
  name: string
  /** -1: the broker's num.partitions. */
  partitions?: number
  /** -1: the broker's default.replication.factor. */
  replicationFactor?: number
  configs?: Array<[string, string]>
}

export async function createTopic (client: KafkaClient, t: NewTopic): Promise<{ topicId: string, partitions: number, replicationFactor: number }> {
  const c = await client.any()
  const v = c.version(API.CreateTopics, 'create topics')
  // Broker-side defaults (-1) exist from v4; older brokers need explicit numbers.
  const partitions = t.partitions ?? (v >= 4 ? -1 : 1)
  const replicationFactor = t.replicationFactor ?? (v >= 4 ? -1 : 1)
  const res = await c.request<CreateTopicsResponse>(API.CreateTopics, {
    topics: [{ name: t.name, numPartitions: partitions, replicationFactor, assignments: [], configs: (t.configs ?? []).map(([name, value]) => ({ name, value })) }],
    timeoutMs: TIMEOUT_MS,
    validateOnly: false
  }, { timeoutMs: TIMEOUT_MS + 5000 })
  const r = res.topics.find(x => x.name === t.name) ?? res.topics[0]
  if (r === undefined) throw new KafkaError(-1, `CreateTopics ${t.name}`, 'the broker returned no result')
  check(r.errorCode, `create topic ${t.name}`, r.errorMessage)
  return { topicId: r.topicId, partitions: r.numPartitions, replicationFactor: r.replicationFactor }
}

export async function deleteTopics (client: KafkaClient, names: string[]): Promise<Array<{ name: string, error: KafkaError | null }>> {
  const c = await client.any()
  const v = c.version(API.DeleteTopics, 'delete topics')
  // v6 names topics by name-or-id structs instead of plain names.
  const res = await c.request<DeleteTopicsResponse>(API.DeleteTopics, {
    ...(v >= 6 ? { topics: names.map(name => ({ name })) } : { topicNames: names }),
    timeoutMs: TIMEOUT_MS
  }, { timeoutMs: TIMEOUT_MS + 5000 })
  return names.map(name => {
    const r = res.responses.find(x => x.name === name)
    if (r === undefined) return { name, error: new KafkaError(-1, `delete topic ${name}`, 'the broker returned no result') }
    return { name, error: r.errorCode === 0 ? null : new KafkaError(r.errorCode, `delete topic ${name}`, r.errorMessage) }
  })
}

export interface TopicSummary { name: string, topicId: string, partitions: number, replicationFactor: number, isInternal: boolean }

export async function listTopics (client: KafkaClient, includeInternal = false): Promise<TopicSummary[]> {
  const res = await client.metadata(null)
  return res.topics
    .filter(t => t.errorCode === 0 && t.name !== null && (includeInternal || !t.isInternal))
    .map(t => ({ name: t.name!, topicId: t.topicId, partitions: t.partitions.length, replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0, isInternal: t.isInternal }))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

export interface ConfigEntry { name: string, value: string | null, source: string, readOnly: boolean, isSensitive: boolean, sourceId: number }

/** The connection a config request for this resource must go to: broker resources to that broker. */
async function configConnection (client: KafkaClient, resourceType: number, resourceName: string): Promise<Connection> {
  if (resourceType === ResourceType.BROKER && resourceName !== '') return await client.node(Number(resourceName))
  return await client.any()
}

export async function describeConfigs (client: KafkaClient, resourceType: number, resourceName: string, keys: string[] | null = null): Promise<ConfigEntry[]> {
  const c = await configConnection(client, resourceType, resourceName)
  c.version(API.DescribeConfigs, 'describe configs')
  const res = await c.request<DescribeConfigsResponse>(API.DescribeConfigs, {
    resources: [{ resourceType, resourceName, configurationKeys: keys }],
    includeSynonyms: false,
    includeDocumentation: false
  })
  const r = res.results[0]
  if (r === undefined) throw new KafkaError(-1, `DescribeConfigs ${resourceName}`, 'the broker returned no result')
  check(r.errorCode, `describe configs of ${resourceLabel(resourceType, resourceName)}`, r.errorMessage)
  return r.configs.map(e => ({ name: e.name, value: e.value, source: CONFIG_SOURCES[e.configSource] ?? String(e.configSource), sourceId: e.configSource, readOnly: e.readOnly, isSensitive: e.isSensitive }))
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

export interface ConfigChanges { set: Array<[string, string]>, delete: string[] }

/**
 * Applies set/delete changes. IncrementalAlterConfigs when served; else AlterConfigs, which replaces all
 * dynamic configs of the resource, so the current dynamic ones are read first and carried over.
 * Returns which API did it.
 */
export async function alterConfigs (client: KafkaClient, resourceType: number, resourceName: string, changes: ConfigChanges): Promise<'IncrementalAlterConfigs' | 'AlterConfigs'> {
  const c = await configConnection(client, resourceType, resourceName)
  const label = resourceLabel(resourceType, resourceName)
  if (c.supports(API.IncrementalAlterConfigs)) {
    const res = await c.request<IncrementalAlterConfigsResponse>(API.IncrementalAlterConfigs, {
      resources: [{
        resourceType,
        resourceName,
        configs: [
          ...changes.set.map(([name, value]) => ({ name, configOperation: 0, value })),
          ...changes.delete.map(name => ({ name, configOperation: 1, value: null }))
        ]
      }],
      validateOnly: false
    })
    const r = res.responses[0]
    if (r === undefined) throw new KafkaError(-1, `IncrementalAlterConfigs ${label}`, 'the broker returned no result')
    check(r.errorCode, `alter configs of ${label}`, r.errorMessage)
    return 'IncrementalAlterConfigs'
  }
  if (!c.supports(API.AlterConfigs)) throw new UnsupportedApiError(['IncrementalAlterConfigs', 'AlterConfigs'], c.address, `alter configs of ${label}`)
  if (!c.supports(API.DescribeConfigs)) throw new UnsupportedApiError(['IncrementalAlterConfigs', 'DescribeConfigs'], c.address, `alter configs of ${label} without dropping its other overrides`)
  const dynamicSource = resourceType === ResourceType.TOPIC ? 1 : resourceName === '' ? 3 : 2
  const current = new Map<string, string | null>()
  for (const e of await describeConfigs(client, resourceType, resourceName)) {
    if (e.sourceId === dynamicSource && !e.isSensitive) current.set(e.name, e.value)
  }
  for (const name of changes.delete) current.delete(name)
  for (const [name, value] of changes.set) current.set(name, value)
  const res = await c.request<AlterConfigsResponse>(API.AlterConfigs, {
    resources: [{ resourceType, resourceName, configs: [...current].map(([name, value]) => ({ name, value })) }],
    validateOnly: false
  })
  const r = res.responses[0]
  if (r === undefined) throw new KafkaError(-1, `AlterConfigs ${label}`, 'the broker returned no result')
  check(r.errorCode, `alter configs of ${label}`, r.errorMessage)
  return 'AlterConfigs'
}

export async function createPartitions (client: KafkaClient, topic: string, total: number): Promise<void> {
  const c = await client.any()
  c.version(API.CreatePartitions, `add partitions to ${topic}`)
  const res = await c.request<CreatePartitionsResponse>(API.CreatePartitions, {
    topics: [{ name: topic, count: total, assignments: null }],
    timeoutMs: TIMEOUT_MS,
    validateOnly: false
  }, { timeoutMs: TIMEOUT_MS + 5000 })
  const r = res.results.find(x => x.name === topic) ?? res.results[0]
  if (r === undefined) throw new KafkaError(-1, `CreatePartitions ${topic}`, 'the broker returned no result')
  check(r.errorCode, `add partitions to ${topic}`, r.errorMessage)
}

export interface ClusterInfo {
  clusterId: string | null
  controllerId: number
  brokers: Array<{ nodeId: number, host: string, port: number, rack: string | null }>
  /** Which API answered: DescribeCluster when served, else Metadata. */
  source: 'DescribeCluster' | 'Metadata'
}

export async function clusterInfo (client: KafkaClient): Promise<ClusterInfo> {
  const c = await client.any()
  if (c.supports(API.DescribeCluster)) {
    const res = await c.request<DescribeClusterResponse>(API.DescribeCluster, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false })
    check(res.errorCode, 'describe cluster', res.errorMessage)
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers: res.brokers.map(b => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
      source: 'DescribeCluster'
    }
  }
  const res = await client.metadata([])
  return {
    clusterId: res.clusterId,
    controllerId: res.controllerId,
    brokers: res.brokers.map(b => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })).sort((a, b) => a.nodeId - b.nodeId),
    source: 'Metadata'
  }
}

function resourceLabel (resourceType: number, name: string): string {
  if (resourceType === ResourceType.TOPIC) return `topic ${name}`
  if (resourceType === ResourceType.BROKER) return name === '' ? 'the cluster-wide broker default' : `broker ${name}`
  return `resource ${resourceType}:${name}`
}
