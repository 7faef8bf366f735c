// DescribeQuorum (key 55), versions 0–2.
//
// Behaviour: the one-voter quorum of __cluster_metadata-0: this node leads in epoch 1 (the epoch every
// metadata batch is written with), its high watermark and log end offset are the metadata log's end
// (one voter: everything written is committed), its fetch and caught-up times are now (Kafka reports the
// leader's own as the current time), there are no observers. v2 adds the voter's directory id and its
// endpoint. A broker forwards DescribeQuorum to the controller (KafkaApis forwardToController), and a
// combined node's controller answers from its raft client, so this is KafkaRaftClient's answer. A request
// that is not exactly one topic __cluster_metadata with one partition 0 gets
// DescribeQuorumRequest.getPartitionLevelErrorResponse: every topic and partition it named, echoed, each
// UNKNOWN_TOPIC_OR_PARTITION with every other field at its schema default (no message, leader 0, epoch 0,
// high watermark 0, no voters), no top-level error and no nodes.
// Gaps: the node endpoint is the client listener (samsa has no separate controller listener).
import { DescribeQuorumSpec, type DescribeQuorumRequest, type DescribeQuorumResponse } from '../wire/generated/describe-quorum.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { METADATA_TOPIC } from '../metadata/metadata-log.js'

const RAFT_EPOCH = 1

export const describeQuorumHandler: Handler = {
  apiKey: 55,
  spec: DescribeQuorumSpec,
  minVersion: 0,
  maxVersion: 2,
  handle (ctx: RequestContext, req: DescribeQuorumRequest): Init<DescribeQuorumResponse> {
    const b = ctx.broker
    const valid = req.topics.length === 1 && req.topics[0]!.topicName === METADATA_TOPIC &&
      req.topics[0]!.partitions.length === 1 && req.topics[0]!.partitions[0]!.partitionIndex === 0
    if (!valid) {
      return {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        topics: req.topics.map(t => ({
          topicName: t.topicName,
          partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, leaderId: 0, leaderEpoch: 0, highWatermark: 0n, currentVoters: [], observers: [] }))
        })),
        nodes: []
      }
    }
    const v = ctx.apiVersion
    const end = b.metadata.image.lastOffset + 1n
    const now = BigInt(Date.now())
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: [{
        topicName: METADATA_TOPIC,
        partitions: [{
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: b.nodeId,
          leaderEpoch: RAFT_EPOCH,
          highWatermark: end,
          currentVoters: [{
            replicaId: b.nodeId,
            logEndOffset: end,
            ...(v >= 1 ? { lastFetchTimestamp: now, lastCaughtUpTimestamp: now } : {}),
            ...(v >= 2 ? { replicaDirectoryId: b.directoryId } : {})
          }],
          observers: []
        }]
      }],
      nodes: v >= 2 ? [{ nodeId: b.nodeId, listeners: [{ name: b.config.listener.name, host: b.advertisedHost, port: b.advertisedPort }] }] : []
    }
  }
}
