// OffsetDelete (key 47), version 0.
//
// Behaviour: deletes committed offsets of a group (tombstones written before the answer). Allowed for an
// Empty group, and for a consumer-protocol group with members only for topics no member subscribes to
// (GROUP_SUBSCRIBED_TO_TOPIC per partition otherwise); other non-empty groups get NON_EMPTY_GROUP. Partitions
// without an offset succeed. Errors: INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, NOT_COORDINATOR,
// COORDINATOR_LOAD_IN_PROGRESS (top level); UNKNOWN_TOPIC_OR_PARTITION for unknown topics.
// Gaps: none known.
import { OffsetDeleteSpec, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../wire/generated/offset-delete.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const offsetDeleteHandler: Handler = {
  apiKey: 47,
  spec: OffsetDeleteSpec,
  minVersion: 0,
  maxVersion: 0,
  async handle (ctx: RequestContext, req: OffsetDeleteRequest): Promise<Init<OffsetDeleteResponse>> {
    if (req.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] }
    const image = ctx.broker.metadata.image
    const r = await ctx.broker.groups.deleteOffsets(req.groupId,
      req.topics.map(t => ({ name: t.name, partitions: t.partitions.map(p => p.partitionIndex) })),
      name => image.topicsByName.has(name))
    return { errorCode: r.errorCode, throttleTimeMs: 0, topics: r.topics }
  }
}
