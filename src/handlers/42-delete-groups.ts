// DeleteGroups (key 42), versions 0–2.
//
// Behaviour: deletes each Empty group with all its committed offsets (offset tombstones, then a
// GroupMetadata tombstone, written before the answer). Errors per group: INVALID_GROUP_ID (empty id),
// GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP (members remain), NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS.
// Gaps: none known.
import { DeleteGroupsSpec, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../wire/generated/delete-groups.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const deleteGroupsHandler: Handler = {
  apiKey: 42,
  spec: DeleteGroupsSpec,
  minVersion: 0,
  maxVersion: 2,
  async handle (ctx: RequestContext, req: DeleteGroupsRequest): Promise<Init<DeleteGroupsResponse>> {
    const results = []
    for (const groupId of req.groupsNames) {
      const errorCode = groupId === '' ? ErrorCode.INVALID_GROUP_ID : await ctx.broker.groups.deleteGroup(groupId)
      if (errorCode === ErrorCode.NONE) ctx.log.info({ group: groupId }, 'deleted group')
      results.push({ groupId, errorCode })
    }
    return { throttleTimeMs: 0, results }
  }
}
