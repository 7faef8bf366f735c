// DescribeTopicPartitions (key 75), version 0.
//
// Behaviour: as Kafka's DescribeTopicPartitionsRequestHandler and KRaftMetadataCache.describeTopicResponse.
// The named topics, each once (or, with none named, every topic, internal ones included and marked so —
// then unknown ones are skipped) at or after the cursor's topic are answered in name order, starting the
// cursor's topic at its partition, with at most max(min(2000, responsePartitionLimit), 1) partitions in
// all (so 0 or a negative limit is one partition; 2000 is max.request.partition.size.limit's default,
// which samsa does not make configurable). When the limit stops inside a topic, nextCursor points at its
// next partition; when it is reached exactly at a topic's end and more topics follow, nextCursor points at
// the next topic's partition 0. A cursor partition past the topic's partitions answers that topic with
// none. With every topic asked for, a cursor topic that does not exist just starts the listing at the
// next name. A cursor topic that is not among the named topics, or a negative cursor partition, throws
// InvalidRequestException: getErrorResponse answers INVALID_REQUEST for every named topic as sent (none
// when all were asked for), zero id, not internal, authorized operations at the schema default. Unknown
// topics answer UNKNOWN_TOPIC_OR_PARTITION (INVALID_TOPIC_EXCEPTION for an illegal name, the empty one
// included) with a zero id. Each answered topic carries every topic operation as authorized (no
// authorizer; DescribeTopicPartitions has no flag to ask for them). ELR lists are empty: one replica.
import {
  DescribeTopicPartitionsSpec, type DescribeTopicPartitionsRequest, type DescribeTopicPartitionsResponse,
  type DescribeTopicPartitionsResponseTopic, type DescribeTopicPartitionsResponsePartition
} from '../wire/generated/describe-topic-partitions.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { ZERO_UUID } from '../wire/uuid.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { topicNameError, INTERNAL_TOPICS } from '../broker/topic-names.js'
import { TOPIC_OPERATIONS } from '../broker/authorized-operations.js'
import type { TopicImage } from '../metadata/image.js'

/** max.request.partition.size.limit's default. */
const MAX_PARTITIONS = 2000

type Topic = Init<DescribeTopicPartitionsResponseTopic>

function partitions (t: TopicImage, start: number, max: number): { partitions: Init<DescribeTopicPartitionsResponsePartition>[], next: number | undefined } {
  const upper = Math.min(t.partitions.length, start + max)
  const out: Init<DescribeTopicPartitionsResponsePartition>[] = []
  for (let i = start; i < upper; i++) {
    const p = t.partitions[i]!
    out.push({
      errorCode: ErrorCode.NONE,
      partitionIndex: i,
      leaderId: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      eligibleLeaderReplicas: [],
      lastKnownElr: [],
      offlineReplicas: []
    })
  }
  return { partitions: out, next: upper < t.partitions.length ? upper : undefined }
}

export const describeTopicPartitionsHandler: Handler = {
  apiKey: 75,
  spec: DescribeTopicPartitionsSpec,
  minVersion: 0,
  maxVersion: 0,
  handle (ctx: RequestContext, req: DescribeTopicPartitionsRequest): Init<DescribeTopicPartitionsResponse> {
    const image = ctx.broker.metadata.image
    const all = req.topics.length === 0
    const cursor = req.cursor
    const cursorTopic = cursor?.topicName ?? ''
    const names = new Set<string>()
    for (const n of all ? image.topicsByName.keys() : req.topics.map(t => t.name)) if (n >= cursorTopic) names.add(n)
    const invalid = (): Init<DescribeTopicPartitionsResponse> => ({
      throttleTimeMs: 0,
      topics: req.topics.map(t => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name, topicId: ZERO_UUID, isInternal: false, partitions: [] })),
      nextCursor: null
    })
    if (!all && cursor !== null && !names.has(cursor.topicName)) return invalid()
    if (cursor !== null && cursor.partitionIndex < 0) return invalid()
    let remaining = Math.max(Math.min(MAX_PARTITIONS, req.responsePartitionLimit), 1)
    const topics: Topic[] = []
    let nextCursor: { topicName: string, partitionIndex: number } | null = null
    // Plain code-unit order, as Java's String.compareTo sorts.
    const sorted = [...names].sort((a, b) => a < b ? -1 : a > b ? 1 : 0)
    for (const name of sorted) {
      if (remaining === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 }
        break
      }
      const t = image.topicsByName.get(name)
      if (t !== undefined) {
        const start = name === cursorTopic ? cursor!.partitionIndex : 0
        const got = partitions(t, start, remaining)
        topics.push({ errorCode: ErrorCode.NONE, name, topicId: t.id, isInternal: INTERNAL_TOPICS.has(name), partitions: got.partitions, topicAuthorizedOperations: TOPIC_OPERATIONS })
        if (got.next !== undefined) {
          nextCursor = { topicName: name, partitionIndex: got.next }
          break
        }
        remaining -= got.partitions.length
      } else if (!all) {
        const errorCode = topicNameError(name) === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION
        topics.push({ errorCode, name, topicId: ZERO_UUID, isInternal: INTERNAL_TOPICS.has(name), partitions: [], topicAuthorizedOperations: TOPIC_OPERATIONS })
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor }
  }
}
