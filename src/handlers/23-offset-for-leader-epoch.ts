// OffsetForLeaderEpoch (key 23), versions 2–4.
//
// Behaviour: as Partition.lastOffsetForLeaderEpoch with Kafka's leader epoch cache. A samsa partition
// has one epoch in its history (its leader epoch, starting at its log start offset) once anything was
// appended; an empty log has none. So: the current epoch answers (epoch, log end offset); an older epoch
// answers (the requested epoch, the start offset of the one entry) as Kafka does for an epoch below every
// known one; a newer epoch, -1, or an empty log answers leaderEpoch -1 and endOffset -1 with no error.
// currentLeaderEpoch (when not -1) below the partition's is FENCED_LEADER_EPOCH, above it
// UNKNOWN_LEADER_EPOCH; a topic or partition not hosted here UNKNOWN_TOPIC_OR_PARTITION.
// replicaId (v3+) is accepted from consumers and followers alike; there is no authorization yet.
import { OffsetForLeaderEpochSpec, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse, type OffsetForLeaderEpochResponseEpochEndOffset } from '../wire/generated/offset-for-leader-epoch.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Partition } from '../broker/partition.js'

const UNDEFINED_EPOCH = -1
const UNDEFINED_OFFSET = -1n

type EndOffset = Init<OffsetForLeaderEpochResponseEpochEndOffset>

export function endOffsetForEpoch (p: Partition, requested: number): { leaderEpoch: number, endOffset: bigint } {
  const undefinedAnswer = { leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET }
  const hasEntry = p.log.logEndOffset > 0n
  if (requested === UNDEFINED_EPOCH || !hasEntry) return undefinedAnswer
  if (requested === p.leaderEpoch) return { leaderEpoch: requested, endOffset: p.log.logEndOffset }
  if (requested > p.leaderEpoch) return undefinedAnswer
  return { leaderEpoch: requested, endOffset: p.log.logStartOffset }
}

export const offsetForLeaderEpochHandler: Handler = {
  apiKey: 23,
  spec: OffsetForLeaderEpochSpec,
  minVersion: 2,
  maxVersion: 4,
  handle (ctx: RequestContext, req: OffsetForLeaderEpochRequest): Init<OffsetForLeaderEpochResponse> {
    const b = ctx.broker
    return {
      throttleTimeMs: 0,
      topics: req.topics.map(t => ({
        topic: t.topic,
        partitions: t.partitions.map((q): EndOffset => {
          const fail = (errorCode: number): EndOffset => ({ errorCode, partition: q.partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET })
          const p = b.partition(t.topic, q.partition)
          if (p === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          if (q.currentLeaderEpoch !== -1) {
            if (q.currentLeaderEpoch < p.leaderEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH)
            if (q.currentLeaderEpoch > p.leaderEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH)
          }
          return { errorCode: ErrorCode.NONE, partition: q.partition, ...endOffsetForEpoch(p, q.leaderEpoch) }
        })
      }))
    }
  }
}
