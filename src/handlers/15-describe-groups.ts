// DescribeGroups (key 15), versions 0–6.
//
// Behaviour: state, protocol type, and members (member and group instance ids, client id and host). The
// chosen protocol and each member's metadata and assignment are filled in only when the group is Stable,
// as Kafka does. An unknown group is described as Dead with no error below v6 and gets GROUP_ID_NOT_FOUND
// with a message at v6 (KIP-1043). An empty group id gets INVALID_GROUP_ID; a group this coordinator cannot
// serve right now NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. A KIP-848 consumer group is answered as
// Kafka does for a non-classic group: Dead, and at v6 GROUP_ID_NOT_FOUND "Group X is not a classic group.
// Gaps: authorized operations are never computed (no authorizer), so the field keeps Kafka's "not
// requested" value.
import { DescribeGroupsSpec, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../wire/generated/describe-groups.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const describeGroupsHandler: Handler = {
  apiKey: 15,
  spec: DescribeGroupsSpec,
  minVersion: 0,
  maxVersion: 6,
  handle (ctx: RequestContext, req: DescribeGroupsRequest): Init<DescribeGroupsResponse> {
    const v = ctx.apiVersion
    return {
      throttleTimeMs: 0,
      groups: req.groups.map(groupId => {
        const d = groupId === ''
          ? { errorCode: ErrorCode.INVALID_GROUP_ID, errorMessage: null, groupId, groupState: '', protocolType: '', protocolData: '', members: [] }
          : ctx.broker.groups.describeGroup(groupId, v)
        return {
          ...d,
          errorMessage: v >= 6 ? d.errorMessage : null,
          members: d.members.map(m => ({ ...m, groupInstanceId: v >= 4 ? m.groupInstanceId : null }))
        }
      })
    }
  }
}
