// CreatePartitions (key 37), versions 0–3.
//
// Behaviour: grows a topic to `count` partitions through PartitionRecords in the metadata log; the new
// logs are opened before the records apply, so Metadata, Produce and Fetch see them complete. Explicit
// assignments must name one replica list per new partition, of the topic's replication factor, of
// registered brokers without repeats (INVALID_REPLICA_ASSIGNMENT, Kafka's messages). An equal or smaller
// count is INVALID_PARTITIONS ("Topic already has N partition(s)." / "The topic t currently has N
// partition(s); M would not be an increase."), an unknown topic UNKNOWN_TOPIC_OR_PARTITION with no message
// (ReplicationControlManager throws a bare exception and ApiError drops the default text), a topic named twice
// INVALID_REQUEST. validateOnly checks without creating.
// controller_mutation_rate (KIP-599) counts added partitions: strict from v3, throttle-only before.
// Gaps: timeoutMs is not needed (the change completes before the answer); no CreateTopicPolicy, no
// authorization.
import { CreatePartitionsSpec, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../wire/generated/create-partitions.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { createPartitions } from '../broker/partition-admin.js'
import { ANONYMOUS_USER, withMutationQuota } from '../broker/quotas.js'

export const createPartitionsHandler: Handler = {
  apiKey: 37,
  spec: CreatePartitionsSpec,
  minVersion: 0,
  maxVersion: 3,
  async handle (ctx: RequestContext, req: CreatePartitionsRequest): Promise<Init<CreatePartitionsResponse>> {
    const broker = ctx.broker
    const quota = broker.quotas.controllerMutation.newQuotaFor(ANONYMOUS_USER, ctx.clientId, ctx.apiVersion >= 3)
    const results = req.validateOnly
      ? await createPartitions(broker, req.topics, true)
      : await withMutationQuota(quota, req.topics,
        async items => (await createPartitions(broker, items, true)).map((o, i) => ({
          outcome: o, partitions: items[i]!.count - (broker.metadata.image.topicsByName.get(items[i]!.name)?.partitions.length ?? 0)
        })),
        async items => await createPartitions(broker, items, false))
    const throttleTimeMs = quota.throttleTime()
    if (throttleTimeMs > 0) ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: true }
    if (!req.validateOnly) {
      for (const [i, r] of results.entries()) if (r.errorCode === 0) ctx.log.info({ topic: r.name, count: req.topics[i]!.count }, 'created partitions')
    }
    return { throttleTimeMs, results }
  }
}
