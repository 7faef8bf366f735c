// SyncGroup (key 14), versions 0–5.
//
// Behaviour: the leader's assignments are written to __consumer_offsets (GroupMetadata record) and, once
// the write resolves, every member's parked SyncGroup gets its assignment and the group becomes Stable;
// followers' requests wait for that. In Stable the current assignment is returned at once. v5+ checks the
// ProtocolType and ProtocolName sent against the group's (INCONSISTENT_GROUP_PROTOCOL, KIP-559) and
// returns them. Members absent from the leader's assignments get an empty one. Errors: INVALID_GROUP_ID,
// UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS (a rebalance started,
// including while this request was parked), NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS. Members that do
// not send SyncGroup within the rebalance timeout are removed and the group rebalances.
// Gaps: none known.
import { SyncGroupSpec, type SyncGroupRequest, type SyncGroupResponse } from '../wire/generated/sync-group.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { syncError, type SyncResult } from '../coordinator/classic-group.js'

function toResponse (v: number, r: SyncResult): Init<SyncGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    protocolType: v >= 5 ? r.protocolType : null,
    protocolName: v >= 5 ? r.protocolName : null,
    assignment: r.assignment
  }
}

export const syncGroupHandler: Handler = {
  apiKey: 14,
  spec: SyncGroupSpec,
  minVersion: 0,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: SyncGroupRequest): Promise<Init<SyncGroupResponse>> {
    const v = ctx.apiVersion
    if (req.groupId === '') return toResponse(v, syncError(ErrorCode.INVALID_GROUP_ID))
    const r = await ctx.broker.groups.sync({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      protocolType: v >= 5 ? req.protocolType : null,
      protocolName: v >= 5 ? req.protocolName : null,
      assignments: req.assignments.map(a => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) }))
    })
    return toResponse(v, r)
  }
}
