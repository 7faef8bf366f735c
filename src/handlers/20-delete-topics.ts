// DeleteTopics (key 20), versions 1–6.
//
// Behaviour: deletes by name (v1–5 TopicNames, v6 Topics[].Name) or by id (v6 Topics[].TopicId; exactly
// one of the two, else INVALID_REQUEST). Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids
// UNKNOWN_TOPIC_ID; delete.topic.enable=false gives TOPIC_DELETION_DISABLED. The RemoveTopicRecord is
// durable before the answer, then the partition directories are removed.
// Gaps: none known for a single broker.
import { DeleteTopicsSpec, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../wire/generated/delete-topics.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { deleteTopic } from '../broker/topic-admin.js'

export const deleteTopicsHandler: Handler = {
  apiKey: 20,
  spec: DeleteTopicsSpec,
  minVersion: 1,
  maxVersion: 6,
  async handle (ctx: RequestContext, req: DeleteTopicsRequest): Promise<Init<DeleteTopicsResponse>> {
    const targets = ctx.apiVersion >= 6
      ? req.topics.map(t => ({ name: t.name, topicId: t.topicId }))
      : req.topicNames.map(name => ({ name }))
    const responses = []
    for (const t of targets) {
      const out = await deleteTopic(ctx.broker, t)
      if (out.errorCode === 0) ctx.log.info({ topic: out.name, topicId: out.topicId }, 'deleted topic')
      responses.push(out)
    }
    return { throttleTimeMs: 0, responses }
  }
}
