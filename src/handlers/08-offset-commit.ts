// OffsetCommit (key 8), versions 2–10.
//
// Behaviour: offsets, leader epochs (v6+) and metadata are stored exactly as committed (null metadata is
// stored as ""), as OffsetCommit records in the group's __consumer_offsets partition; the answer comes
// after the write. Group members commit with their generation and member id (and v7+ group instance id);
// simple consumers and admin tools with generation -1 and no member id, which is accepted while the group
// is Empty and creates it if needed. v2–4 RetentionTimeMs other than -1 sets the offset's expire time.
// v10 names topics by id. Errors (per partition): INVALID_GROUP_ID, UNKNOWN_TOPIC_OR_PARTITION (unknown
// topic), UNKNOWN_TOPIC_ID (v10), OFFSET_METADATA_TOO_LARGE (offset.metadata.max.bytes),
// ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS (CompletingRebalance),
// GROUP_ID_NOT_FOUND (v9+, unknown group with a generation; ILLEGAL_GENERATION before v9),
// NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS. A member's commit also keeps its session alive.
// Gaps: v0–1 are not served (Kafka 4.x removed them too).
import { OffsetCommitSpec, type OffsetCommitRequest, type OffsetCommitResponse } from '../wire/generated/offset-commit.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { CommitEntry } from '../coordinator/group-coordinator.js'

export const offsetCommitHandler: Handler = {
  apiKey: 8,
  spec: OffsetCommitSpec,
  minVersion: 2,
  maxVersion: 10,
  async handle (ctx: RequestContext, req: OffsetCommitRequest): Promise<Init<OffsetCommitResponse>> {
    const v = ctx.apiVersion
    const image = ctx.broker.metadata.image
    // Per partition: an error decided here, or the index of its entry in the coordinator request.
    const slots: { topic: number, partitionIndex: number, errorCode: number, entry: number }[] = []
    const entries: CommitEntry[] = []
    req.topics.forEach((t, ti) => {
      const name = v >= 10 ? image.topicsById.get(t.topicId)?.name : (image.topicsByName.has(t.name) ? t.name : undefined)
      for (const p of t.partitions) {
        let errorCode: number = ErrorCode.NONE
        if (req.groupId === '') errorCode = ErrorCode.INVALID_GROUP_ID
        else if (name === undefined) errorCode = v >= 10 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        if (errorCode !== ErrorCode.NONE) {
          slots.push({ topic: ti, partitionIndex: p.partitionIndex, errorCode, entry: -1 })
          continue
        }
        slots.push({ topic: ti, partitionIndex: p.partitionIndex, errorCode, entry: entries.length })
        entries.push({ topic: name!, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: v >= 6 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })
      }
    })
    const codes = entries.length === 0
      ? []
      : await ctx.broker.groups.commitOffsets({
        groupId: req.groupId,
        generationId: req.generationIdOrMemberEpoch,
        memberId: req.memberId,
        groupInstanceId: v >= 7 ? req.groupInstanceId : null,
        retentionTimeMs: v <= 4 ? req.retentionTimeMs : -1n,
        apiVersion: v,
        entries
      })
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t, ti) => ({
        name: v >= 10 ? '' : t.name,
        topicId: v >= 10 ? t.topicId : undefined,
        partitions: slots.filter(s => s.topic === ti).map(s => ({ partitionIndex: s.partitionIndex, errorCode: s.entry < 0 ? s.errorCode : codes[s.entry]! }))
      }))
    }
  }
}
