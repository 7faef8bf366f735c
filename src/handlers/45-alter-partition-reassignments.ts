// AlterPartitionReassignments (key 45), versions 0–1.
//
// Behaviour: KRaft's ReplicationControlManager.alterPartitionReassignments on one broker. Each partition
// succeeds or fails on its own: an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION; null
// replicas cancels a reassignment, and since none is ever in progress that is NO_REASSIGNMENT_IN_PROGRESS;
// a target list is checked as a manual assignment (empty, a broker that is not registered, a broker named
// twice: INVALID_REPLICA_ASSIGNMENT with Kafka's messages) and, when v1 allowReplicationFactorChange is
// false, must keep the replication factor (INVALID_REPLICATION_FACTOR). A valid target on one broker can
// only be this broker, the current assignment, so it completes at once and writes no record — as the
// controller writes none for an unchanged assignment. The answer echoes allowReplicationFactorChange.
// Gaps: no authorization (CLUSTER ALTER).
import { AlterPartitionReassignmentsSpec, type AlterPartitionReassignmentsRequest, type AlterPartitionReassignmentsResponse } from '../wire/generated/alter-partition-reassignments.js'
import type { Init } from '../wire/types.js'
import { ErrorCode, errorInfo } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { MetadataImage } from '../metadata/image.js'

function check (image: MetadataImage, registered: number[], topic: string, partition: number, replicas: number[] | null, allowRfChange: boolean): { errorCode: number, errorMessage: string | null } {
  const t = image.topicsByName.get(topic)
  if (t === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find a topic named ${topic}.` }
  const p = t.partitions[partition]
  if (p === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find partition ${topic}:${partition}.` }
  if (replicas === null) return { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: errorInfo(ErrorCode.NO_REASSIGNMENT_IN_PROGRESS)!.message }
  if (replicas.length === 0) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' }
  const sorted = [...replicas].sort((a, b) => a - b)
  for (let i = 0; i < sorted.length; i++) {
    const id = sorted[i]!
    if (!registered.includes(id)) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes broker ${id}, but no such broker is registered.` }
    if (i > 0 && sorted[i - 1] === id) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes the broker ${id} more than once.` }
  }
  if (!allowRfChange && replicas.length !== p.replicas.length) {
    return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `The replication factor is changed from ${p.replicas.length} to ${replicas.length}` }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null }
}

export const alterPartitionReassignmentsHandler: Handler = {
  apiKey: 45,
  spec: AlterPartitionReassignmentsSpec,
  minVersion: 0,
  maxVersion: 1,
  handle (ctx: RequestContext, req: AlterPartitionReassignmentsRequest): Init<AlterPartitionReassignmentsResponse> {
    const image = ctx.broker.metadata.image
    const registered = [ctx.broker.nodeId]
    // v0 has no such field: its requests may always change the replication factor.
    const allowRfChange = ctx.apiVersion === 0 ? true : req.allowReplicationFactorChange
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange: allowRfChange,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      responses: req.topics.map(t => ({
        name: t.name,
        partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, ...check(image, registered, t.name, p.partitionIndex, p.replicas, allowRfChange) }))
      }))
    }
  }
}
