// ElectLeaders (key 43), versions 0–2.
//
// Behaviour: KRaft's ReplicationControlManager.electLeaders on a one-broker cluster. Every partition has
// its one replica as leader, so a preferred or unclean election is ELECTION_NOT_NEEDED; an unknown topic or
// partition is UNKNOWN_TOPIC_OR_PARTITION with the controller's message. Null partitions means every
// partition, and then (as Kafka does) partitions that need no election are left out of the answer, so each
// topic is listed with no partition results. v0 has no election type: it is a preferred election.
// Errors: an election type other than 0 (preferred) or 1 (unclean) fails the whole request with
// INVALID_REQUEST, as the controller's InvalidRequestException does.
// Gaps: no authorization (CLUSTER ALTER); the timeout is not needed since nothing is ever elected.
import { ElectLeadersSpec, type ElectLeadersRequest, type ElectLeadersResponse } from '../wire/generated/elect-leaders.js'
import type { Init } from '../wire/types.js'
import { ErrorCode, errorInfo } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { MetadataImage } from '../metadata/image.js'

const PREFERRED = 0
const UNCLEAN = 1

type PartitionResult = { partitionId: number, errorCode: number, errorMessage: string | null }

function electOne (image: MetadataImage, topic: string, partition: number, electionType: number): PartitionResult {
  const t = image.topicsByName.get(topic)
  if (t === undefined) return { partitionId: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such topic as ${topic}` }
  const p = t.partitions[partition]
  if (p === undefined) return { partitionId: partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `No such partition as ${topic}-${partition}` }
  const hasPreferred = p.leader === p.replicas[0]
  const hasLeader = p.leader >= 0
  if ((electionType === PREFERRED && hasPreferred) || (electionType === UNCLEAN && hasLeader)) {
    return { partitionId: partition, errorCode: ErrorCode.ELECTION_NOT_NEEDED, errorMessage: errorInfo(ErrorCode.ELECTION_NOT_NEEDED)!.message }
  }
  // Only reachable with a leaderless partition, which one live broker never has: no replica to elect.
  const code = electionType === PREFERRED ? ErrorCode.PREFERRED_LEADER_NOT_AVAILABLE : ErrorCode.ELIGIBLE_LEADERS_NOT_AVAILABLE
  return { partitionId: partition, errorCode: code, errorMessage: errorInfo(code)!.message }
}

export const electLeadersHandler: Handler = {
  apiKey: 43,
  spec: ElectLeadersSpec,
  minVersion: 0,
  maxVersion: 2,
  handle (ctx: RequestContext, req: ElectLeadersRequest): Init<ElectLeadersResponse> {
    const electionType = ctx.apiVersion === 0 ? PREFERRED : req.electionType
    if (electionType !== PREFERRED && electionType !== UNCLEAN) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.INVALID_REQUEST,
        replicaElectionResults: (req.topicPartitions ?? []).map(t => ({
          topic: t.topic,
          partitionResult: t.partitions.map(p => ({ partitionId: p, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown election type ${electionType}` }))
        }))
      }
    }
    const image = ctx.broker.metadata.image
    if (req.topicPartitions === null) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        replicaElectionResults: [...image.topicsByName.values()].map(t => ({
          topic: t.name,
          partitionResult: t.partitions.map(p => electOne(image, t.name, p.partition, electionType)).filter(r => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED)
        }))
      }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      replicaElectionResults: req.topicPartitions.map(t => ({
        topic: t.topic,
        partitionResult: t.partitions.map(p => electOne(image, t.topic, p, electionType))
      }))
    }
  }
}
