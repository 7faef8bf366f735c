// OffsetFetch (key 9), versions 1–10.
//
// Behaviour: committed offsets with their leader epoch (v5+) and metadata exactly as committed; -1 and ""
// for partitions without a commit (and for unknown groups). Null topics (v2+) mean every partition the
// group has an offset for. v8+ fetches several groups in one request, each answered on its own; v10 names
// topics by id (UNKNOWN_TOPIC_ID for an unknown id). RequireStable (v7+) is satisfied at once: without
// transactional offset commits no offset is ever pending. Group-level errors (NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS) go in each partition at v1, in the top-level ErrorCode at v2–7 and in the
// group's ErrorCode at v8+.
// v9+ MemberId/MemberEpoch are checked for KIP-848 consumer groups (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH
// in the group's ErrorCode); null and -1 (admin clients) are always accepted; classic groups ignore them.
// Gaps: none known.
import { OffsetFetchSpec, type OffsetFetchRequest, type OffsetFetchResponse } from '../wire/generated/offset-fetch.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { ZERO_UUID } from '../wire/uuid.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const offsetFetchHandler: Handler = {
  apiKey: 9,
  spec: OffsetFetchSpec,
  minVersion: 1,
  maxVersion: 10,
  handle (ctx: RequestContext, req: OffsetFetchRequest): Init<OffsetFetchResponse> {
    const v = ctx.apiVersion
    const groups = ctx.broker.groups
    const image = ctx.broker.metadata.image
    if (v < 8) {
      const r = groups.fetchOffsets(req.groupId, req.topics === null ? null : req.topics.map(t => ({ name: t.name, partitions: t.partitionIndexes })))
      const epoch = (e: number): number => v >= 5 ? e : -1
      if (r.errorCode !== ErrorCode.NONE && v < 2) {
        return {
          throttleTimeMs: 0,
          topics: (req.topics ?? []).map(t => ({
            name: t.name,
            partitions: t.partitionIndexes.map(partitionIndex => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: r.errorCode }))
          }))
        }
      }
      return {
        throttleTimeMs: 0,
        errorCode: v >= 2 ? r.errorCode : ErrorCode.NONE,
        topics: r.topics.map(t => ({ name: t.name, partitions: t.partitions.map(p => ({ ...p, committedLeaderEpoch: epoch(p.committedLeaderEpoch) })) }))
      }
    }
    return {
      throttleTimeMs: 0,
      groups: req.groups.map(g => {
        if (v < 10) {
          const r = groups.fetchOffsets(g.groupId, g.topics === null ? null : g.topics.map(t => ({ name: t.name, partitions: t.partitionIndexes })), v >= 9 ? g : null)
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.topics.map(t => ({ name: t.name, partitions: t.partitions })) }
        }
        const unknownIds = new Set<string>()
        const asked = g.topics === null
          ? null
          : g.topics.map(t => {
            const name = image.topicsById.get(t.topicId)?.name
            if (name === undefined) unknownIds.add(t.topicId)
            return { name: name ?? '', partitions: t.partitionIndexes }
          })
        const r = groups.fetchOffsets(g.groupId, asked, g)
        if (r.errorCode !== ErrorCode.NONE) return { groupId: g.groupId, errorCode: r.errorCode, topics: [] }
        const topics = g.topics === null
          // Every committed offset, by the id of the topic now under that name; gone topics are left out.
          ? r.topics.flatMap(t => {
            const id = image.topicsByName.get(t.name)?.id
            return id === undefined ? [] : [{ topicId: id, partitions: t.partitions }]
          })
          : g.topics.map((t, i) => ({
            topicId: t.topicId,
            partitions: unknownIds.has(t.topicId) || t.topicId === ZERO_UUID
              ? t.partitionIndexes.map(partitionIndex => ({ partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID }))
              : r.topics[i]!.partitions
          }))
        return { groupId: g.groupId, errorCode: ErrorCode.NONE, topics }
      })
    }
  }
}
