// LeaveGroup (key 13), versions 0–5.
//
// Behaviour: v0–2 remove the one MemberId; v3+ a batch of members, each by member id or, with an empty
// member id, by group instance id (admin removal of static members), each with its own error code. Parked
// JoinGroup/SyncGroup answers of leaving members are completed with UNKNOWN_MEMBER_ID; a Stable or
// CompletingRebalance group then rebalances. Errors: INVALID_GROUP_ID, UNKNOWN_MEMBER_ID (unknown member or
// group), FENCED_INSTANCE_ID, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS. Below v3 the member's error is
// the response's error.
// Gaps: the reason (v5) is not logged.
import { LeaveGroupSpec, type LeaveGroupRequest, type LeaveGroupResponse } from '../wire/generated/leave-group.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const leaveGroupHandler: Handler = {
  apiKey: 13,
  spec: LeaveGroupSpec,
  minVersion: 0,
  maxVersion: 5,
  handle (ctx: RequestContext, req: LeaveGroupRequest): Init<LeaveGroupResponse> {
    const v = ctx.apiVersion
    if (req.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, members: [] }
    const members = v >= 3
      ? req.members.map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: req.memberId, groupInstanceId: null }]
    const r = ctx.broker.groups.leave(req.groupId, members)
    if (v >= 3) return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.errorCode === ErrorCode.NONE ? r.members : [] }
    return { throttleTimeMs: 0, errorCode: r.errorCode !== ErrorCode.NONE ? r.errorCode : r.members[0]!.errorCode }
  }
}
