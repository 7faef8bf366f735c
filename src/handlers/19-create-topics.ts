// CreateTopics (key 19), versions 2–7.
//
// Behaviour: validates each topic on its own (name rules and '.'/'_' collisions, partitions and
// replication factor — more than one replica is INVALID_REPLICATION_FACTOR on a single broker — manual
// assignments, configs by Kafka's names and types) and creates it through the metadata log;
// validateOnly checks without creating. Duplicate names in one request all fail with INVALID_REQUEST.
// v5+ answers with partitions, replication factor and every topic config with its source; v7 with ids.
// controller_mutation_rate (KIP-599) counts created partitions: strict from v6 (THROTTLING_QUOTA_EXCEEDED
// per topic), throttle-only before.
// Gaps: timeoutMs is not needed (creation completes before the answer); no CreateTopicPolicy.
import { CreateTopicsSpec, type CreateTopicsRequest, type CreateTopicsResponse } from '../wire/generated/create-topics.js'
import type { Init } from '../wire/types.js'
import { ZERO_UUID } from '../wire/uuid.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { createTopics, type CreateTopicInput } from '../broker/topic-admin.js'
import { ANONYMOUS_USER, withMutationQuota } from '../broker/quotas.js'

export const createTopicsHandler: Handler = {
  apiKey: 19,
  spec: CreateTopicsSpec,
  minVersion: 2,
  maxVersion: 7,
  async handle (ctx: RequestContext, req: CreateTopicsRequest): Promise<Init<CreateTopicsResponse>> {
    const broker = ctx.broker
    const inputs: CreateTopicInput[] = req.topics.map(t => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map(a => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
      configs: t.configs.map(c => ({ name: c.name, value: c.value }))
    }))
    // KIP-599: validateOnly mutates nothing, so only real creations count against the quota.
    const quota = broker.quotas.controllerMutation.newQuotaFor(ANONYMOUS_USER, ctx.clientId, ctx.apiVersion >= 6)
    const outcomes = req.validateOnly
      ? await createTopics(broker, inputs, true)
      : await withMutationQuota(quota, inputs,
        async items => (await createTopics(broker, items, true)).map(o => ({ outcome: o, partitions: o.numPartitions })),
        async items => await createTopics(broker, items, false))
    const throttleTimeMs = quota.throttleTime()
    if (throttleTimeMs > 0) ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: true }
    for (const o of outcomes) {
      if (o.errorCode === 0 && !req.validateOnly) ctx.log.info({ topic: o.name, partitions: o.numPartitions, topicId: o.topicId }, 'created topic')
    }
    return {
      throttleTimeMs,
      topics: outcomes.map(o => ({
        name: o.name,
        topicId: req.validateOnly ? ZERO_UUID : o.topicId,
        errorCode: o.errorCode,
        errorMessage: o.errorMessage,
        numPartitions: o.numPartitions,
        replicationFactor: o.replicationFactor,
        configs: o.configs === null
          ? []
          : broker.describeTopicConfigs({ configs: o.configs }).map(c => ({
            name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.source, isSensitive: c.sensitive
          }))
      }))
    }
  }
}
