// Metadata (key 3), versions 0–13.
//
// Behaviour: this broker is the only broker and the controller. Null topics (v1+), or an empty list at
// v0, mean all topics. Unknown topics are auto-created with num.partitions and default.replication.factor
// when auto.create.topics.enable is on and the request allows it (v4+ AllowAutoTopicCreation; always for
// v0–3); creation finishes before the answer, so the client sees the new topic at once instead of
// Kafka's LEADER_NOT_AVAILABLE-then-retry. Illegal names get INVALID_TOPIC_EXCEPTION, unknown ones
// UNKNOWN_TOPIC_OR_PARTITION; v12+ may look topics up by id (UNKNOWN_TOPIC_ID when absent). Topic ids,
// leader epochs and offline replicas are reported at the versions that carry them.
// Gaps: authorized operations are never computed (no authorizer), so both fields stay at Kafka's
// "not requested" value.
import { MetadataSpec, type MetadataRequest, type MetadataResponse, type MetadataResponseTopic } from '../wire/generated/metadata.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { ZERO_UUID } from '../wire/uuid.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { TopicImage } from '../metadata/image.js'
import type { Broker } from '../broker/broker.js'
import { topicNameError, INTERNAL_TOPICS } from '../broker/topic-names.js'
import { autoCreateTopic } from '../broker/topic-admin.js'

function describeTopic (broker: Broker, t: TopicImage): Init<MetadataResponseTopic> {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.id,
    isInternal: INTERNAL_TOPICS.has(t.name),
    partitions: t.partitions.map(p => ({
      errorCode: ErrorCode.NONE,
      partitionIndex: p.partition,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter(r => r !== broker.nodeId && !p.isr.includes(r))
    }))
  }
}

function errorTopic (name: string | null, errorCode: number, topicId = ZERO_UUID): Init<MetadataResponseTopic> {
  return { errorCode, name, topicId, isInternal: false, partitions: [] }
}

export const metadataHandler: Handler = {
  apiKey: 3,
  spec: MetadataSpec,
  minVersion: 0,
  maxVersion: 13,
  async handle (ctx: RequestContext, req: MetadataRequest): Promise<Init<MetadataResponse>> {
    const broker = ctx.broker
    const image = broker.metadata.image
    const v = ctx.apiVersion
    const allTopics = req.topics === null || (v === 0 && req.topics.length === 0)
    const topics: Init<MetadataResponseTopic>[] = []
    if (allTopics) {
      for (const t of image.topicsByName.values()) topics.push(describeTopic(broker, t))
    } else {
      const autoCreate = broker.config.bool('auto.create.topics.enable') && (v < 4 || req.allowAutoTopicCreation)
      // Kafka treats the requested topics as a set: a name asked for twice is described once.
      const seenNames = new Set<string>()
      const seenIds = new Set<string>()
      const requested = req.topics!.filter(rt => {
        const seen = rt.name === null ? seenIds : seenNames
        const key = rt.name ?? rt.topicId
        if (seen.has(key)) return false
        seen.add(key)
        return true
      })
      for (const rt of requested) {
        if (rt.name === null) {
          const byId = rt.topicId === ZERO_UUID ? undefined : image.topicsById.get(rt.topicId)
          topics.push(byId === undefined ? errorTopic(null, ErrorCode.UNKNOWN_TOPIC_ID, rt.topicId) : describeTopic(broker, byId))
          continue
        }
        const existing = image.topicsByName.get(rt.name)
        if (existing !== undefined) {
          topics.push(describeTopic(broker, existing))
          continue
        }
        if (topicNameError(rt.name) !== undefined) {
          topics.push(errorTopic(rt.name, ErrorCode.INVALID_TOPIC_EXCEPTION))
          continue
        }
        if (!autoCreate) {
          topics.push(errorTopic(rt.name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
          continue
        }
        const created = await autoCreateTopic(broker, rt.name)
        const t = broker.metadata.image.topicsByName.get(rt.name)
        if (created.errorCode !== ErrorCode.NONE || t === undefined) {
          ctx.log.info({ topic: rt.name, errorCode: created.errorCode, err: created.errorMessage }, 'topic auto-creation failed')
          topics.push(errorTopic(rt.name, created.errorCode === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : created.errorCode))
        } else {
          ctx.log.info({ topic: rt.name, partitions: t.partitions.length }, 'auto-created topic')
          topics.push(describeTopic(broker, t))
        }
      }
    }
    return {
      throttleTimeMs: 0,
      brokers: [{ nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, rack: broker.config.str('broker.rack') }],
      clusterId: broker.clusterId,
      controllerId: broker.nodeId,
      topics,
      errorCode: ErrorCode.NONE
    }
  }
}
