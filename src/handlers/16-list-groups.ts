// ListGroups (key 16), versions 0–5.
//
// Behaviour: every group of the loaded __consumer_offsets partitions (Dead groups excepted) with its
// protocol type, state (v4+) and type (v5+: "classic", or "consumer" for KIP-848 groups with their Empty,
// Assigning, Reconciling or Stable state). StatesFilter (v4+) and TypesFilter (v5+)
// match case-insensitively, as Kafka does; an empty filter matches everything. While any partition is
// still loading the answer carries COORDINATOR_LOAD_IN_PROGRESS along with the groups loaded so far.
// Gaps: share and streams groups do not exist here.
import { ListGroupsSpec, type ListGroupsRequest, type ListGroupsResponse } from '../wire/generated/list-groups.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const listGroupsHandler: Handler = {
  apiKey: 16,
  spec: ListGroupsSpec,
  minVersion: 0,
  maxVersion: 5,
  handle (ctx: RequestContext, req: ListGroupsRequest): Init<ListGroupsResponse> {
    const v = ctx.apiVersion
    const groups = ctx.broker.groups
    const listed = groups.listGroups(v >= 4 ? req.statesFilter : [], v >= 5 ? req.typesFilter : [])
    return {
      throttleTimeMs: 0,
      errorCode: groups.isLoading ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE,
      groups: listed.map(g => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: v >= 4 ? g.groupState : '', groupType: v >= 5 ? g.groupType : '' }))
    }
  }
}
