// ConsumerGroupDescribe (key 69), versions 0–1 (KIP-848).
//
// Behaviour: per group its state (Empty, Assigning, Reconciling, Stable), group and assignment epochs, the
// assignor the group uses (the one most members asked for, else the default), and each member with its
// subscription, current assignment, target assignment and epoch; v1 adds MemberType (1: consumer
// protocol). An empty group id gets INVALID_GROUP_ID; an unknown or classic group GROUP_ID_NOT_FOUND with
// Kafka's message; a group this coordinator cannot serve NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS.
// Gaps: authorized operations are never computed (no authorizer), so the field keeps Kafka's "not
// requested" value.
import { ConsumerGroupDescribeSpec, type ConsumerGroupDescribeRequest, type ConsumerGroupDescribeResponse } from '../wire/generated/consumer-group-describe.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const consumerGroupDescribeHandler: Handler = {
  apiKey: 69,
  spec: ConsumerGroupDescribeSpec,
  minVersion: 0,
  maxVersion: 1,
  handle (ctx: RequestContext, req: ConsumerGroupDescribeRequest): Init<ConsumerGroupDescribeResponse> {
    const groups = ctx.broker.groups
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map(groupId => {
        const empty = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], errorMessage: null }
        if (groupId === '') return { ...empty, errorCode: ErrorCode.INVALID_GROUP_ID }
        const unavailable = groups.availability(groupId)
        if (unavailable !== null) return { ...empty, errorCode: unavailable }
        return groups.consumer.describe(groupId)
      })
    }
  }
}
