// A cluster-aware client: bootstraps from any of a list of brokers, learns the brokers and partition
// leaders from Metadata, finds group coordinators, and keeps one connection per broker.
import { Connection, type ConnectionOptions } from './connection.js'
import { ConnectionError, KafkaError, UnsupportedApiError } from './errors.js'
import { apiName } from './versions.js'
import type { MetadataResponse, MetadataResponseTopic } from '../wire/generated/metadata.js'
import type { FindCoordinatorResponse } from '../wire/generated/find-coordinator.js'

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  CreatePartitions: 37,
  DeleteGroups: 42,
  IncrementalAlterConfigs: 44,
  DescribeCluster: 60,
  ConsumerGroupHeartbeat: 68,
  ConsumerGroupDescribe: 69
} as const

export interface BrokerAddress { host: string, port: number }

export interface ClientOptions extends ConnectionOptions {
  /** host:port strings; the first reachable one bootstraps. */
  brokers: string[]
}

/** Parses "host:port" (IPv6 hosts in brackets); throws RangeError on anything else. */
export function parseBroker (s: string): BrokerAddress {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s.trim())
  if (m === null || Number(m[3]) > 65535) throw new RangeError(`expected host:port, got "${s}"`)
  return { host: m[1] ?? m[2]!, port: Number(m[3]) }
}

const RETRIABLE_COORDINATOR = new Set([14, 15, 16]) // COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR

export interface TopicMeta {
  name: string
  topicId: string
  isInternal: boolean
  partitions: Map<number, { leaderId: number, leaderEpoch: number, replicas: number[], isr: number[], errorCode: number }>
}

export class KafkaClient {
  readonly bootstrap: BrokerAddress[]
  /** Broker id to address, from the last Metadata. */
  readonly nodes = new Map<number, BrokerAddress>()
  readonly topics = new Map<string, TopicMeta>()
  clusterId: string | null = null
  controllerId = -1
  private readonly conns = new Map<string, Promise<Connection>>()
  private readonly closed = new Set<string>()

  constructor (private readonly opts: ClientOptions) {
    if (opts.brokers.length === 0) throw new RangeError('no brokers given')
    this.bootstrap = opts.brokers.map(parseBroker)
  }

  /** A connection to some broker of the cluster (the first bootstrap broker that answers). */
  async any (): Promise<Connection> {
    const errors: string[] = []
    for (const b of this.bootstrap) {
      try {
        return await this.connectTo(b)
      } catch (err) {
        if (!(err instanceof ConnectionError)) throw err
        errors.push(err.message)
      }
    }
    throw new ConnectionError(errors.length === 1 ? errors[0]! : `no broker reachable: ${errors.join('; ')}`)
  }

  /** A connection to broker `nodeId` as addressed by the last Metadata. */
  async node (nodeId: number): Promise<Connection> {
    let addr = this.nodes.get(nodeId)
    if (addr === undefined) {
      await this.metadata([])
      addr = this.nodes.get(nodeId)
    }
    if (addr === undefined) throw new ConnectionError(`broker ${nodeId} is not in the cluster metadata`)
    return await this.connectTo(addr)
  }

  /** Negotiated version of an API on some broker, or throws UnsupportedApiError naming `what`. */
  async supports (apiKey: number): Promise<boolean> {
    return (await this.any()).supports(apiKey)
  }

  /**
   * Metadata for `topics` (null: all topics; []: brokers only). Refreshes the broker and leader maps.
   * Topic-level errors are left in the response for the caller to judge.
   */
  async metadata (topics: string[] | null, allowAutoTopicCreation = false): Promise<MetadataResponse> {
    const c = await this.any()
    const v = c.version(API.Metadata, 'read cluster metadata')
    // Metadata v0 means "all topics" with an empty list and has no null.
    if (v === 0 && topics !== null && topics.length === 0) throw new UnsupportedApiError(['Metadata v1+'], c.address, 'list brokers')
    const res = await c.request<MetadataResponse>(API.Metadata, {
      topics: topics === null ? (v === 0 ? [] : null) : topics.map(name => ({ name })),
      // Auto-creation is always on before v4, where the flag does not exist.
      ...(v >= 4 ? { allowAutoTopicCreation } : {})
    })
    if (res.errorCode !== undefined && res.errorCode !== 0) throw new KafkaError(res.errorCode, 'Metadata')
    for (const b of res.brokers) this.nodes.set(b.nodeId, { host: b.host, port: b.port })
    this.clusterId = res.clusterId
    this.controllerId = res.controllerId
    for (const t of res.topics) if (t.errorCode === 0 && t.name !== null) this.topics.set(t.name, topicMeta(t))
    return res
  }

  /** Metadata of one existing topic; throws the topic's error (UNKNOWN_TOPIC_OR_PARTITION, ...). */
  async topic (name: string, refresh = false): Promise<TopicMeta> {
    const known = this.topics.get(name)
    if (known !== undefined && !refresh) return known
    const res = await this.metadata([name])
    const t = res.topics.find(x => x.name === name)
    if (t === undefined) throw new KafkaError(3, `topic ${name}`)
    if (t.errorCode !== 0) throw new KafkaError(t.errorCode, `topic ${name}`)
    return this.topics.get(name)!
  }

  /** Connection to the leader of a partition, per the cached metadata. */
  async leader (topic: string, partition: number): Promise<Connection> {
    const t = await this.topic(topic)
    const p = t.partitions.get(partition)
    if (p === undefined) throw new KafkaError(3, `${topic}-${partition}`, `topic ${topic} has no partition ${partition}`)
    if (p.leaderId < 0) throw new KafkaError(5, `${topic}-${partition}`)
    return await this.node(p.leaderId)
  }

  /** The group coordinator of `group`, retrying while the coordinator is loading or moving. */
  async coordinator (group: string, keyType = 0): Promise<Connection> {
    for (let attempt = 0; ; attempt++) {
      const c = await this.any()
      const v = c.version(API.FindCoordinator, 'find the group coordinator')
      // Batched coordinatorKeys replaced the single key in v4.
      const res = await c.request<FindCoordinatorResponse>(API.FindCoordinator, v >= 4 ? { keyType, coordinatorKeys: [group] } : { key: group, keyType })
      let code: number, msg: string | null, nodeId: number, host: string, port: number
      if (v >= 4) {
        const k = res.coordinators.find(x => x.key === group) ?? res.coordinators[0]
        if (k === undefined) throw new ConnectionError(`FindCoordinator from ${c.address} returned no coordinator`)
        ;({ errorCode: code, errorMessage: msg, nodeId, host, port } = k)
      } else {
        ;({ errorCode: code, errorMessage: msg, nodeId, host, port } = res)
      }
      if (code === 0) {
        this.nodes.set(nodeId, { host, port })
        return await this.connectTo({ host, port })
      }
      if (!RETRIABLE_COORDINATOR.has(code) || attempt >= 20) throw new KafkaError(code, `FindCoordinator for group ${group}`, msg)
      await sleep(Math.min(50 * 2 ** attempt, 1000))
    }
  }

  close (): void {
    for (const p of this.conns.values()) p.then(c => c.close(), () => {})
    this.conns.clear()
  }

  private connectTo (addr: BrokerAddress): Promise<Connection> {
    const key = `${addr.host}:${addr.port}`
    let p = this.conns.get(key)
    // A broker that dropped the connection gets a fresh one.
    if (p !== undefined && this.closed.has(key)) {
      this.closed.delete(key)
      p = undefined
    }
    if (p === undefined) {
      p = Connection.open(addr.host, addr.port, this.opts)
      this.conns.set(key, p)
      const mine = p
      p.then(c => c.onClose(() => { if (this.conns.get(key) === mine) this.closed.add(key) }), () => { if (this.conns.get(key) === mine) this.conns.delete(key) })
    }
    return p
  }
}

function topicMeta (t: MetadataResponseTopic): TopicMeta {
  const partitions: TopicMeta['partitions'] = new Map()
  for (const p of t.partitions) {
    partitions.set(p.partitionIndex, { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicas: p.replicaNodes, isr: p.isrNodes, errorCode: p.errorCode })
  }
  return { name: t.name!, topicId: t.topicId, isInternal: t.isInternal, partitions }
}

export function sleep (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

export { apiName }
