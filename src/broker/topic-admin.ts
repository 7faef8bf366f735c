// Creating and deleting topics, with Kafka's checks and error codes (ReplicationControlManager in KRaft).
// Each change runs through the controller so it is validated against the image it is applied to.
import { validateTopicConfigs } from '../config/topic-config.js'
import { ConfigError } from '../config/config-def.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { randomUuid, ZERO_UUID } from '../wire/uuid.js'
import type { MetadataImage, MetadataRecord, TopicImage } from '../metadata/image.js'
import { TOPIC_RESOURCE } from '../metadata/image.js'
import { topicNameError, unifyCollisionChars, INTERNAL_TOPICS } from './topic-names.js'
import type { Broker } from './broker.js'

export interface CreateTopicInput {
  name: string
  numPartitions: number
  replicationFactor: number
  assignments: { partitionIndex: number, brokerIds: number[] }[]
  configs: { name: string, value: string | null }[]
}

export interface CreateTopicOutcome {
  name: string
  errorCode: number
  errorMessage: string | null
  topicId: string
  numPartitions: number
  replicationFactor: number
  /** The topic's overrides, for reporting the effective configs. */
  configs: Map<string, string> | null
}

/** The record of a brand-new partition: this broker leads at epoch 0 with every replica in sync. */
export function newPartitionRecord (topicId: string, partitionId: number, replicas: number[]): MetadataRecord {
  return {
    type: 'PartitionRecord',
    data: {
      partitionId,
      topicId,
      replicas,
      isr: replicas,
      removingReplicas: [],
      addingReplicas: [],
      leader: replicas[0]!,
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
      directories: [],
      eligibleLeaderReplicas: null,
      lastKnownElr: null
    }
  }
}

class TopicError extends Error {
  constructor (readonly code: number, message: string) { super(message) }
}

function fail (name: string, e: TopicError): CreateTopicOutcome {
  return { name, errorCode: e.code, errorMessage: e.message, topicId: ZERO_UUID, numPartitions: -1, replicationFactor: -1, configs: null }
}

/** Plans one topic against the image; throws TopicError. Returns the records that create it. */
function planTopic (broker: Broker, image: MetadataImage, t: CreateTopicInput): { records: MetadataRecord[], outcome: CreateTopicOutcome } {
  const nameErr = topicNameError(t.name)
  if (nameErr !== undefined) throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr)
  if (image.topicsByName.has(t.name)) throw new TopicError(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`)
  const unified = unifyCollisionChars(t.name)
  for (const other of image.topicsByName.keys()) {
    if (unifyCollisionChars(other) === unified) {
      throw new TopicError(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${t.name}' collides with existing topic: ${other}`)
    }
  }
  const brokers = [broker.nodeId]
  let partitions: number[][]
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1) throw new TopicError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but numPartitions was not set to -1.')
    if (t.replicationFactor !== -1) throw new TopicError(ErrorCode.INVALID_REQUEST, 'A manual partition assignment was specified, but replicationFactor was not set to -1.')
    const sorted = [...t.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex)
    partitions = sorted.map((a, i) => {
      if (a.partitionIndex !== i) throw new TopicError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'partitions should be a consecutive 0-based integer sequence')
      if (a.brokerIds.length === 0) throw new TopicError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes an empty replica list.`)
      if (new Set(a.brokerIds).size !== a.brokerIds.length) throw new TopicError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${a.brokerIds.find((b, j) => a.brokerIds.indexOf(b) !== j)} more than once.`)
      for (const b of a.brokerIds) {
        if (!brokers.includes(b)) throw new TopicError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${b}, but no such broker is registered.`)
      }
      return [...a.brokerIds]
    })
    if (new Set(partitions.map(p => p.length)).size > 1) throw new TopicError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'All partitions in the manual partition assignment must have the same number of replicas.')
  } else {
    const n = t.numPartitions === -1 ? broker.config.int('num.partitions') : t.numPartitions
    const rf = t.replicationFactor === -1 ? broker.config.int('default.replication.factor') : t.replicationFactor
    if (n <= 0) throw new TopicError(ErrorCode.INVALID_PARTITIONS, 'Number of partitions was set to an invalid non-positive value.')
    if (rf <= 0) throw new TopicError(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0, or -1 to use the default value.')
    if (rf > brokers.length) {
      throw new TopicError(ErrorCode.INVALID_REPLICATION_FACTOR, `Unable to replicate the partition ${rf} time(s): The target replication factor of ${rf} cannot be reached because only ${brokers.length} broker(s) are registered.`)
    }
    partitions = Array.from({ length: n }, () => brokers.slice(0, rf))
  }
  const seen = new Set<string>()
  for (const c of t.configs) {
    if (seen.has(c.name)) throw new TopicError(ErrorCode.INVALID_REQUEST, `Duplicate config key ${c.name}`)
    seen.add(c.name)
  }
  try {
    validateTopicConfigs(t.configs.map(c => [c.name, c.value]))
  } catch (e) {
    if (e instanceof ConfigError) throw new TopicError(ErrorCode.INVALID_CONFIG, e.message)
    throw e
  }
  const topicId = randomUuid()
  const records: MetadataRecord[] = [{ type: 'TopicRecord', data: { name: t.name, topicId } }]
  const configs = new Map<string, string>()
  for (const c of t.configs) {
    configs.set(c.name, c.value!)
    records.push({ type: 'ConfigRecord', data: { resourceType: TOPIC_RESOURCE, resourceName: t.name, name: c.name, value: c.value } })
  }
  partitions.forEach((replicas, i) => records.push(newPartitionRecord(topicId, i, replicas)))
  return {
    records,
    outcome: { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null, topicId, numPartitions: partitions.length, replicationFactor: partitions[0]!.length, configs }
  }
}

/**
 * Creates topics (or only validates them). Each topic succeeds or fails on its own, as in Kafka; duplicate
 * names in one request all fail with INVALID_REQUEST.
 */
export async function createTopics (broker: Broker, topics: CreateTopicInput[], validateOnly: boolean): Promise<CreateTopicOutcome[]> {
  const counts = new Map<string, number>()
  for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  const outcomes: CreateTopicOutcome[] = []
  for (const t of topics) {
    if (counts.get(t.name)! > 1) {
      outcomes.push(fail(t.name, new TopicError(ErrorCode.INVALID_REQUEST, 'Duplicate topic name.')))
      continue
    }
    try {
      const outcome = await broker.controller.run(async image => {
        const planned = planTopic(broker, image, t)
        if (validateOnly) return { records: [], result: planned.outcome }
        // Open the logs before the records make the topic visible, so no request sees a topic without them.
        const pending: TopicImage = { name: t.name, id: planned.outcome.topicId, partitions: [], configs: planned.outcome.configs! }
        for (let i = 0; i < planned.outcome.numPartitions; i++) await broker.openPartition(pending, i, 0)
        return { records: planned.records, result: planned.outcome }
      })
      outcomes.push(outcome)
    } catch (e) {
      if (!(e instanceof TopicError)) throw e
      outcomes.push(fail(t.name, e))
    }
  }
  return outcomes
}

/** Auto-creation from Metadata: the broker's defaults, no configs. Returns the error code (NONE on success). */
export async function autoCreateTopic (broker: Broker, name: string): Promise<{ errorCode: number, errorMessage: string | null }> {
  if (INTERNAL_TOPICS.has(name)) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null }
  const [outcome] = await createTopics(broker, [{ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], false)
  // Another request may have created it in the meantime: that is success for the asker.
  if (outcome!.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return { errorCode: ErrorCode.NONE, errorMessage: null }
  return { errorCode: outcome!.errorCode, errorMessage: outcome!.errorMessage }
}

export interface DeleteTopicOutcome { name: string | null, topicId: string, errorCode: number, errorMessage: string | null }

/** Deletes one topic by name or id (exactly one of them). */
export async function deleteTopic (broker: Broker, by: { name?: string | null, topicId?: string }): Promise<DeleteTopicOutcome> {
  const byName = by.name !== undefined && by.name !== null
  const byId = by.topicId !== undefined && by.topicId !== ZERO_UUID
  if (byName === byId) {
    return { name: by.name ?? null, topicId: by.topicId ?? ZERO_UUID, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Exactly one of the topic name or topic id must be set.' }
  }
  if (!broker.config.bool('delete.topic.enable')) {
    return { name: by.name ?? null, topicId: by.topicId ?? ZERO_UUID, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' }
  }
  let removed: TopicImage | undefined
  const out = await broker.controller.run<DeleteTopicOutcome>(image => {
    const t = byName ? image.topicsByName.get(by.name!) : image.topicsById.get(by.topicId!)
    if (t === undefined) {
      return byName
        ? { records: [], result: { name: by.name!, topicId: ZERO_UUID, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'This server does not host this topic-partition.' } }
        : { records: [], result: { name: null, topicId: by.topicId!, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: 'This server does not host this topic ID.' } }
    }
    removed = t
    return { records: [{ type: 'RemoveTopicRecord', data: { topicId: t.id } }], result: { name: t.name, topicId: t.id, errorCode: ErrorCode.NONE, errorMessage: null } }
  })
  if (removed !== undefined) await broker.closePartitionsOf(removed)
  return out
}

/**
 * Creates an internal topic (e.g. __consumer_offsets) on first use, as Kafka's coordinators do, and
 * returns it. Concurrent callers all get the one topic.
 */
export async function ensureInternalTopic (broker: Broker, name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>): Promise<TopicImage> {
  const existing = broker.metadata.image.topicsByName.get(name)
  if (existing !== undefined) return existing
  const [outcome] = await createTopics(broker, [{
    name,
    numPartitions,
    replicationFactor,
    assignments: [],
    configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v }))
  }], false)
  const t = broker.metadata.image.topicsByName.get(name)
  if (t === undefined) throw new Error(`could not create internal topic ${name}: ${outcome!.errorMessage ?? outcome!.errorCode}`)
  broker.log.info({ topic: name, partitions: t.partitions.length }, 'created internal topic')
  return t
}
