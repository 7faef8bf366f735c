// The cluster metadata image: what topics, partitions, configs and features exist. It changes only by
// applying metadata records (KRaft's own record types), so replaying the metadata log rebuilds it exactly
// and replication later only has to ship those records.
import type { TopicRecord } from '../wire/generated/metadata-records/topic-record.js'
import type { PartitionRecord } from '../wire/generated/metadata-records/partition-record.js'
import type { ConfigRecord } from '../wire/generated/metadata-records/config-record.js'
import type { RemoveTopicRecord } from '../wire/generated/metadata-records/remove-topic-record.js'
import type { FeatureLevelRecord } from '../wire/generated/metadata-records/feature-level-record.js'
import type { PartitionChangeRecord } from '../wire/generated/metadata-records/partition-change-record.js'
import type { ProducerIdsRecord } from '../wire/generated/metadata-records/producer-ids-record.js'
import type { ClientQuotaRecord } from '../wire/generated/metadata-records/client-quota-record.js'

export type MetadataRecord =
  | { type: 'TopicRecord', data: TopicRecord }
  | { type: 'PartitionRecord', data: PartitionRecord }
  | { type: 'PartitionChangeRecord', data: PartitionChangeRecord }
  | { type: 'ConfigRecord', data: ConfigRecord }
  | { type: 'RemoveTopicRecord', data: RemoveTopicRecord }
  | { type: 'FeatureLevelRecord', data: FeatureLevelRecord }
  | { type: 'ProducerIdsRecord', data: ProducerIdsRecord }
  | { type: 'ClientQuotaRecord', data: ClientQuotaRecord }

export const TOPIC_RESOURCE = 2
export const BROKER_RESOURCE = 4

export interface PartitionImage {
  partition: number
  replicas: number[]
  isr: number[]
  leader: number
  leaderEpoch: number
  partitionEpoch: number
}

export interface TopicImage {
  name: string
  id: string
  partitions: PartitionImage[]
  /** Topic config overrides (only what was set explicitly). */
  configs: Map<string, string>
}

/** One client quota entity (user, client-id, ip; a null name is the default entity) and its quota values. */
export interface ClientQuotaEntityImage {
  /** Entity types and names, sorted by type. */
  entity: { entityType: string, entityName: string | null }[]
  quotas: Map<string, number>
}

/** The map key of a client quota entity: its entries sorted by type, so the order they came in does not matter. */
export function clientQuotaKey (entity: readonly { entityType: string, entityName: string | null }[]): string {
  return JSON.stringify([...entity].sort((x, y) => x.entityType < y.entityType ? -1 : x.entityType > y.entityType ? 1 : 0).map(e => [e.entityType, e.entityName]))
}

export class MetadataImageError extends Error {
  override name = 'MetadataImageError'
}

export class MetadataImage {
  readonly topicsByName = new Map<string, TopicImage>()
  readonly topicsById = new Map<string, TopicImage>()
  readonly features = new Map<string, number>()
  /** Every feature some FeatureLevelRecord named, even one later set to 0: start-up finalizes only the others. */
  readonly featuresRecorded = new Set<string>()
  /** Config overrides of resources that are not topics (e.g. the broker), keyed by `${type}:${name}`. */
  readonly otherConfigs = new Map<string, Map<string, string>>()
  /** The first producer id not yet handed out in a block (KRaft's ProducerIdControlManager). */
  nextProducerId = 0n
  /** Client quota entities with at least one quota, by clientQuotaKey (KRaft's ClientQuotasImage). */
  readonly clientQuotas = new Map<string, ClientQuotaEntityImage>()
  /** Bumped by every ClientQuotaRecord, so quota managers know when to re-resolve. */
  clientQuotasVersion = 0
  /** Offset of the last applied record in the metadata log, -1 before any. */
  lastOffset = -1n

  apply (rec: MetadataRecord): void {
    switch (rec.type) {
      case 'TopicRecord': {
        const { name, topicId } = rec.data
        if (this.topicsById.has(topicId)) throw new MetadataImageError(`topic id ${topicId} already exists`)
        if (this.topicsByName.has(name)) throw new MetadataImageError(`topic ${name} already exists`)
        const t: TopicImage = { name, id: topicId, partitions: [], configs: new Map() }
        this.topicsByName.set(name, t)
        this.topicsById.set(topicId, t)
        return
      }
      case 'PartitionRecord': {
        const d = rec.data
        const t = this.topic(d.topicId)
        const p: PartitionImage = {
          partition: d.partitionId,
          replicas: [...d.replicas],
          isr: [...d.isr],
          leader: d.leader,
          leaderEpoch: d.leaderEpoch,
          partitionEpoch: d.partitionEpoch
        }
        t.partitions[d.partitionId] = p
        return
      }
      case 'PartitionChangeRecord': {
        const d = rec.data
        const p = this.topic(d.topicId).partitions[d.partitionId]
        if (p === undefined) throw new MetadataImageError(`no partition ${d.partitionId} in topic ${d.topicId}`)
        // Leader -2 means unchanged; a leader change bumps the leader epoch, any change the partition epoch.
        if (d.isr !== null) p.isr = [...d.isr]
        if (d.replicas !== null) p.replicas = [...d.replicas]
        if (d.leader !== -2) {
          p.leader = d.leader
          p.leaderEpoch++
        }
        p.partitionEpoch++
        return
      }
      case 'ConfigRecord': {
        const d = rec.data
        let configs: Map<string, string>
        if (d.resourceType === TOPIC_RESOURCE) {
          const t = this.topicsByName.get(d.resourceName)
          if (t === undefined) throw new MetadataImageError(`config for unknown topic ${d.resourceName}`)
          configs = t.configs
        } else {
          const key = `${d.resourceType}:${d.resourceName}`
          configs = this.otherConfigs.get(key) ?? new Map()
          this.otherConfigs.set(key, configs)
        }
        if (d.value === null) configs.delete(d.name)
        else configs.set(d.name, d.value)
        return
      }
      case 'RemoveTopicRecord': {
        const t = this.topic(rec.data.topicId)
        this.topicsById.delete(t.id)
        this.topicsByName.delete(t.name)
        return
      }
      case 'FeatureLevelRecord': {
        this.featuresRecorded.add(rec.data.name)
        if (rec.data.featureLevel === 0) this.features.delete(rec.data.name)
        else this.features.set(rec.data.name, rec.data.featureLevel)
        return
      }
      case 'ClientQuotaRecord': {
        const d = rec.data
        const key = clientQuotaKey(d.entity)
        let e = this.clientQuotas.get(key)
        if (d.remove) {
          e?.quotas.delete(d.key)
          if (e !== undefined && e.quotas.size === 0) this.clientQuotas.delete(key)
        } else {
          if (e === undefined) {
            e = { entity: JSON.parse(key).map(([entityType, entityName]: [string, string | null]) => ({ entityType, entityName })), quotas: new Map() }
            this.clientQuotas.set(key, e)
          }
          e.quotas.set(d.key, d.value)
        }
        this.clientQuotasVersion++
        return
      }
      case 'ProducerIdsRecord': {
        if (rec.data.nextProducerId < this.nextProducerId) throw new MetadataImageError(`producer id block ${rec.data.nextProducerId} is below the next producer id ${this.nextProducerId}`)
        this.nextProducerId = rec.data.nextProducerId
      }
    }
  }

  private topic (id: string): TopicImage {
    const t = this.topicsById.get(id)
    if (t === undefined) throw new MetadataImageError(`unknown topic id ${id}`)
    return t
  }
}
