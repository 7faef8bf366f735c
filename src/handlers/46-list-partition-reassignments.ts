// ListPartitionReassignments (key 46), version 0.
//
// Behaviour: KRaft lists only partitions with a reassignment in progress (adding or removing replicas).
// On one broker a reassignment can only name this broker, which completes at once, so none is ever in
// progress: null topics and named topics (known or not, as the controller skips unknown names) both
// answer an empty list with no error.
// Gaps: no authorization (CLUSTER DESCRIBE).
import { ListPartitionReassignmentsSpec, type ListPartitionReassignmentsRequest, type ListPartitionReassignmentsResponse } from '../wire/generated/list-partition-reassignments.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const listPartitionReassignmentsHandler: Handler = {
  apiKey: 46,
  spec: ListPartitionReassignmentsSpec,
  minVersion: 0,
  maxVersion: 0,
  handle (_ctx: RequestContext, _req: ListPartitionReassignmentsRequest): Init<ListPartitionReassignmentsResponse> {
    // The image keeps no adding/removing replicas because AlterPartitionReassignments never leaves any.
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] }
  }
}
