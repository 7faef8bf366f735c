// JoinGroup (key 11), versions 0–9.
//
// Behaviour: Kafka 4.x's classic group protocol (src/coordinator/group-coordinator.ts). A new dynamic member
// at v4+ first gets MEMBER_ID_REQUIRED with its member id (KIP-394); static members (v5+
// GroupInstanceId, KIP-345) rejoin without a rebalance when their protocols are unchanged, and fence the
// previous member id (FENCED_INSTANCE_ID). The answer is parked until the join phase completes: all members
// rejoined, the rebalance timeout passed, or group.initial.rebalance.delay.ms (extended while members keep
// arriving) for a new group. The leader gets every member's metadata for the protocol chosen by vote.
// Errors: INVALID_GROUP_ID (empty id), INVALID_SESSION_TIMEOUT (outside group.min/max.session.timeout.ms),
// INCONSISTENT_GROUP_PROTOCOL, GROUP_MAX_SIZE_REACHED, UNKNOWN_MEMBER_ID, GROUP_ID_NOT_FOUND (member id for
// an unknown group), NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS. v0 has no rebalance timeout: the
// session timeout stands in, as in Kafka.
// Gaps: group.instance.id is not checked for illegal characters; the reason (v8+) is only logged by Kafka
// and ignored here.
import { JoinGroupSpec, type JoinGroupRequest, type JoinGroupResponse } from '../wire/generated/join-group.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { joinError, type JoinResult } from '../coordinator/classic-group.js'
import { clientHost } from '../coordinator/client-host.js'

function toResponse (v: number, r: JoinResult): Init<JoinGroupResponse> {
  return {
    throttleTimeMs: 0,
    errorCode: r.errorCode,
    generationId: r.generationId,
    protocolType: v >= 7 ? r.protocolType : null,
    // Below v7 the protocol name is not nullable; Kafka sends "" for none.
    protocolName: v >= 7 ? r.protocolName : (r.protocolName ?? ''),
    leader: r.leader,
    skipAssignment: v >= 9 && r.skipAssignment,
    memberId: r.memberId,
    members: r.members.map(m => ({ memberId: m.memberId, groupInstanceId: v >= 5 ? m.groupInstanceId : null, metadata: m.metadata }))
  }
}

export const joinGroupHandler: Handler = {
  apiKey: 11,
  spec: JoinGroupSpec,
  minVersion: 0,
  maxVersion: 9,
  async handle (ctx: RequestContext, req: JoinGroupRequest): Promise<Init<JoinGroupResponse>> {
    const v = ctx.apiVersion
    if (req.groupId === '') return toResponse(v, joinError(req.memberId, ErrorCode.INVALID_GROUP_ID))
    const r = await ctx.broker.groups.join({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: v >= 5 ? req.groupInstanceId : null,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: v === 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map(p => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
      clientId: ctx.clientId ?? '',
      clientHost: clientHost(ctx),
      apiVersion: v
    })
    return toResponse(v, r)
  }
}
