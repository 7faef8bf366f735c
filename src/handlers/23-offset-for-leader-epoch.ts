// OffsetForLeaderEpoch (key 23), versions 2–4.
//
// Behaviour: Kafka's Partition.lastOffsetForLeaderEpoch over the partition log's leader epoch cache
// (src/log/leader-epoch-cache.ts): the latest epoch ends at the log end offset; an older epoch answers
// the largest known epoch at or below it and the start of the next one; an epoch below every known one
// answers itself and the first entry's start; -1 or an epoch newer than any known answers leaderEpoch -1
// and endOffset -1 with no error. currentLeaderEpoch (when not -1) below the partition's is
// FENCED_LEADER_EPOCH, above it UNKNOWN_LEADER_EPOCH. A partition in the metadata but not open here is
// NOT_LEADER_OR_FOLLOWER, one not in the metadata UNKNOWN_TOPIC_OR_PARTITION (ReplicaManager's order).
// Deliberate gaps: no CLUSTER_ACTION / DESCRIBE authorization yet; replicaId (v3+) is accepted from
// consumers and followers alike.
import { OffsetForLeaderEpochSpec, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset } from '../wire/generated/offset-for-leader-epoch.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Partition } from '../broker/partition.js'
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type EpochEndOffset } from '../log/leader-epoch-cache.js'

type EndOffset = Init<OffsetForLeaderEpochResponseEpochEndOffset>

export function endOffsetForEpoch (p: Partition, requested: number): EpochEndOffset {
  return p.log.leaderEpochCache.endOffsetFor(requested, p.log.logEndOffset)
}

export const offsetForLeaderEpochHandler: Handler = {
  apiKey: 23,
  spec: OffsetForLeaderEpochSpec,
  minVersion: 2,
  maxVersion: 4,
  handle (ctx: RequestContext, req: OffsetForLeaderEpochRequest): Init<OffsetForLeaderEpochResponse> {
    const b = ctx.broker
    const image = b.metadata.image
    return {
      throttleTimeMs: 0,
      topics: req.topics.map(t => ({
        topic: t.topic,
        partitions: t.partitions.map((q): EndOffset => {
          const fail = (errorCode: number): EndOffset => ({ errorCode, partition: q.partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET })
          const p = b.partition(t.topic, q.partition)
          if (p === undefined) {
            const known = image.topicsByName.get(t.topic)?.partitions[q.partition] !== undefined
            return fail(known ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          }
          if (q.currentLeaderEpoch !== UNDEFINED_EPOCH) {
            if (q.currentLeaderEpoch < p.leaderEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH)
            if (q.currentLeaderEpoch > p.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH)
          }
          return { errorCode: ErrorCode.NONE, partition: q.partition, ...endOffsetForEpoch(p, q.leaderEpoch) }
        })
      }))
    }
  }
}
