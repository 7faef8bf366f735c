// ConsumerGroupHeartbeat (key 68), versions 0–1 (KIP-848).
//
// Behaviour: join (member epoch 0), heartbeat, leave (-1) and static leave (-2) of a consumer group, with
// the target assignment computed on the server by the `uniform` (default) or `range` assignor and
// delivered through the reconciliation protocol (see src/coordinator/consumer-group-coordinator.ts). v0
// lets the broker pick the member id of a joining member that sends none; v1 (KIP-1082) requires the
// client-generated one, and adds SubscribedTopicRegex. Errors: INVALID_REQUEST (bad fields, with a message),
// UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION, GROUP_ID_NOT_FOUND (unknown group when not joining, or a
// classic group that cannot be upgraded), UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH, FENCED_INSTANCE_ID,
// UNRELEASED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS.
// A join to a non-empty classic group that passes Kafka's upgrade checks converts it (mixed groups).
// Gaps: group-level configs
// (consumer.session.timeout.ms per group) and rack-aware assignment do not exist; regexes are JS RegExp
// anchored like RE2/J's matches(), not RE2 itself.
import { ConsumerGroupHeartbeatSpec, type ConsumerGroupHeartbeatRequest, type ConsumerGroupHeartbeatResponse } from '../wire/generated/consumer-group-heartbeat.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { clientHost } from '../coordinator/client-host.js'

export const consumerGroupHeartbeatHandler: Handler = {
  apiKey: 68,
  spec: ConsumerGroupHeartbeatSpec,
  minVersion: 0,
  maxVersion: 1,
  async handle (ctx: RequestContext, req: ConsumerGroupHeartbeatRequest): Promise<Init<ConsumerGroupHeartbeatResponse>> {
    const r = await ctx.broker.groups.consumer.heartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: ctx.apiVersion >= 1 ? req.subscribedTopicRegex : null,
      serverAssignor: req.serverAssignor,
      topicPartitions: req.topicPartitions,
      clientId: ctx.clientId ?? '',
      clientHost: clientHost(ctx),
      apiVersion: ctx.apiVersion
    })
    return { throttleTimeMs: 0, ...r }
  }
}
