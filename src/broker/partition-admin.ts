// CreatePartitions with Kafka's checks (ReplicationControlManager.createPartitions and
// validateManualPartitionAssignment): new PartitionRecords through the controller, the logs opened before
// the records make the partitions visible.
import { ErrorCode } from '../wire/generated/errors.js'
import type { MetadataRecord, TopicImage } from '../metadata/image.js'
import type { Broker } from './broker.js'
import { newPartitionRecord } from './topic-admin.js'

export interface CreatePartitionsInput { name: string, count: number, assignments: { brokerIds: number[] }[] | null }
export interface CreatePartitionsOutcome { name: string, errorCode: number, errorMessage: string | null }

class PartitionsError extends Error {
  constructor (readonly code: number, readonly errorMessage: string | null) { super(errorMessage ?? '') }
}

function checkAssignment (brokerIds: number[], registered: number[], replicationFactor: number): void {
  if (brokerIds.length === 0) throw new PartitionsError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.')
  const sorted = [...brokerIds].sort((a, b) => a - b)
  let prev: number | undefined
  for (const id of sorted) {
    if (!registered.includes(id)) throw new PartitionsError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes broker ${id}, but no such broker is registered.`)
    if (id === prev) throw new PartitionsError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes the broker ${prev} more than once.`)
    prev = id
  }
  if (sorted.length !== replicationFactor) {
    throw new PartitionsError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `The manual partition assignment includes a partition with ${sorted.length} replica(s), but this is not consistent with previous partitions, which have ${replicationFactor} replica(s).`)
  }
}

function plan (broker: Broker, t: TopicImage | undefined, req: CreatePartitionsInput): { records: MetadataRecord[], replicas: number[][] } {
  // A bare UnknownTopicOrPartitionException: ApiError.fromThrowable drops a message equal to the code's own.
  if (t === undefined) throw new PartitionsError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null)
  const existing = t.partitions.length
  if (req.count === existing) throw new PartitionsError(ErrorCode.INVALID_PARTITIONS, `Topic already has ${existing} partition(s).`)
  if (req.count < existing) throw new PartitionsError(ErrorCode.INVALID_PARTITIONS, `The topic ${req.name} currently has ${existing} partition(s); ${req.count} would not be an increase.`)
  const additional = req.count - existing
  if (req.assignments !== null && req.assignments.length !== additional) {
    throw new PartitionsError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Attempted to add ${additional} additional partition(s), but only ${req.assignments.length} assignment(s) were specified.`)
  }
  const replicationFactor = t.partitions[0]!.replicas.length
  const brokers = [broker.nodeId]
  const replicas: number[][] = []
  for (let i = 0; i < additional; i++) {
    const a = req.assignments?.[i]
    if (a === undefined) {
      replicas.push(brokers.slice(0, replicationFactor))
      continue
    }
    checkAssignment(a.brokerIds, brokers, replicationFactor)
    replicas.push([...a.brokerIds])
  }
  const records: MetadataRecord[] = replicas.map((r, i) => newPartitionRecord(t.id, existing + i, r))
  return { records, replicas }
}

/** Grows each topic to its count (or only validates). Each topic succeeds or fails on its own. */
export async function createPartitions (broker: Broker, topics: CreatePartitionsInput[], validateOnly: boolean): Promise<CreatePartitionsOutcome[]> {
  const counts = new Map<string, number>()
  for (const t of topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1)
  const out: CreatePartitionsOutcome[] = []
  for (const req of topics) {
    if (counts.get(req.name)! > 1) {
      out.push({ name: req.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' })
      continue
    }
    try {
      await broker.controller.run(async image => {
        const t = image.topicsByName.get(req.name)
        const planned = plan(broker, t, req)
        if (validateOnly) return { records: [], result: undefined }
        // As createTopics does: the logs exist before any request can see the new partitions.
        for (let i = 0; i < planned.replicas.length; i++) await broker.openPartition(t!, t!.partitions.length + i, 0)
        return { records: planned.records, result: undefined }
      })
      out.push({ name: req.name, errorCode: ErrorCode.NONE, errorMessage: null })
    } catch (e) {
      if (!(e instanceof PartitionsError)) throw e
      out.push({ name: req.name, errorCode: e.code, errorMessage: e.errorMessage })
    }
  }
  return out
}
