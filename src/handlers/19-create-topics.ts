// CreateTopics (key 19), versions 2–7.
//
// Behaviour: validates each topic on its own (name rules and '.'/'_' collisions, partitions and
// replication factor — more than one replica is INVALID_REPLICATION_FACTOR on a single broker — manual
// assignments, configs by Kafka's names and types) and creates it through the metadata log;
// validateOnly checks without creating. Duplicate names in one request all fail with INVALID_REQUEST.
// v5+ answers with partitions, replication factor and every topic config with its source; v7 with ids.
// Gaps: timeoutMs is not needed (creation completes before the answer); no CreateTopicPolicy.
import { CreateTopicsSpec, type CreateTopicsRequest, type CreateTopicsResponse } from '../wire/generated/create-topics.js'
import type { Init } from '../wire/types.js'
import { ZERO_UUID } from '../wire/uuid.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { createTopics } from '../broker/topic-admin.js'

export const createTopicsHandler: Handler = {
  apiKey: 19,
  spec: CreateTopicsSpec,
  minVersion: 2,
  maxVersion: 7,
  async handle (ctx: RequestContext, req: CreateTopicsRequest): Promise<Init<CreateTopicsResponse>> {
    const broker = ctx.broker
    const outcomes = await createTopics(broker, req.topics.map(t => ({
      name: t.name,
      numPartitions: t.numPartitions,
      replicationFactor: t.replicationFactor,
      assignments: t.assignments.map(a => ({ partitionIndex: a.partitionIndex, brokerIds: a.brokerIds })),
      configs: t.configs.map(c => ({ name: c.name, value: c.value }))
    })), req.validateOnly)
    for (const o of outcomes) {
      if (o.errorCode === 0 && !req.validateOnly) ctx.log.info({ topic: o.name, partitions: o.numPartitions, topicId: o.topicId }, 'created topic')
    }
    return {
      throttleTimeMs: 0,
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
