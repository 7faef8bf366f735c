// Heartbeat (key 12), versions 0–4.
//
// Behaviour: keeps a member's session alive (group.min/max.session.timeout.ms bound the timeout it joined
// with); answers REBALANCE_IN_PROGRESS while the group prepares a rebalance so the member rejoins.
// Errors: INVALID_GROUP_ID, UNKNOWN_MEMBER_ID (also for an unknown group), FENCED_INSTANCE_ID (v3+ static
// members), ILLEGAL_GENERATION, NOT_COORDINATOR. While the group's partition is loading Kafka answers
// NONE without looking, and so does samsa.
// Gaps: none known.
import { HeartbeatSpec, type HeartbeatRequest, type HeartbeatResponse } from '../wire/generated/heartbeat.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const heartbeatHandler: Handler = {
  apiKey: 12,
  spec: HeartbeatSpec,
  minVersion: 0,
  maxVersion: 4,
  handle (ctx: RequestContext, req: HeartbeatRequest): Init<HeartbeatResponse> {
    if (req.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID }
    const errorCode = ctx.broker.groups.heartbeat(req.groupId, req.memberId, ctx.apiVersion >= 3 ? req.groupInstanceId : null, req.generationId)
    return { throttleTimeMs: 0, errorCode }
  }
}
