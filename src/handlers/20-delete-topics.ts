// DeleteTopics (key 20), versions 1–6.
//
// Behaviour: deletes by name (v1–5 TopicNames, v6 Topics[].Name) or by id (v6 Topics[].TopicId; exactly
// one of the two, else INVALID_REQUEST). Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids
// UNKNOWN_TOPIC_ID; delete.topic.enable=false gives TOPIC_DELETION_DISABLED. The RemoveTopicRecord is
// durable before the answer, then the partition directories are removed.
// controller_mutation_rate (KIP-599) counts deleted partitions: strict from v5, throttle-only before.
// Gaps: none known for a single broker.
import { DeleteTopicsSpec, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../wire/generated/delete-topics.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { deleteTopic } from '../broker/topic-admin.js'
import { ANONYMOUS_USER, ThrottlingQuotaExceededError } from '../broker/quotas.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { ZERO_UUID } from '../wire/uuid.js'

export const deleteTopicsHandler: Handler = {
  apiKey: 20,
  spec: DeleteTopicsSpec,
  minVersion: 1,
  maxVersion: 6,
  async handle (ctx: RequestContext, req: DeleteTopicsRequest): Promise<Init<DeleteTopicsResponse>> {
    const targets = ctx.apiVersion >= 6
      ? req.topics.map(t => ({ name: t.name, topicId: t.topicId }))
      : req.topicNames.map(name => ({ name }))
    const broker = ctx.broker
    const quota = broker.quotas.controllerMutation.newQuotaFor(ANONYMOUS_USER, ctx.clientId, ctx.apiVersion >= 5)
    const responses = []
    for (const t of targets) {
      if (quota.bounded && broker.config.bool('delete.topic.enable')) {
        const image = broker.metadata.image
        const id = 'topicId' in t ? t.topicId : undefined
        const topic = t.name !== null && t.name !== undefined && (id === undefined || id === ZERO_UUID)
          ? image.topicsByName.get(t.name)
          : (id !== undefined && (t.name === null || t.name === undefined) ? image.topicsById.get(id) : undefined)
        if (topic !== undefined) {
          try {
            quota.record(topic.partitions.length)
          } catch (e) {
            if (!(e instanceof ThrottlingQuotaExceededError)) throw e
            responses.push({ name: t.name ?? topic.name, topicId: id ?? ZERO_UUID, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: e.message })
            continue
          }
        }
      }
      const out = await deleteTopic(broker, t)
      if (out.errorCode === 0) ctx.log.info({ topic: out.name, topicId: out.topicId }, 'deleted topic')
      responses.push(out)
    }
    const throttleTimeMs = quota.throttleTime()
    if (throttleTimeMs > 0) ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: true }
    return { throttleTimeMs, responses }
  }
}
