// DeleteRecords (key 21), versions 0–2.
//
// Behaviour: for each partition the log start offset moves up to the requested offset (-1: the high
// watermark), as ReplicaManager.deleteRecords does: the new start is checkpointed before the answer,
// reads below it get OFFSET_OUT_OF_RANGE, ListOffsets EARLIEST follows it, and the segments wholly
// below it are removed at the next retention check. A smaller offset than the current start changes
// nothing and still succeeds. The answer's lowWatermark is the log start offset afterwards.
// Errors: unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION; an offset beyond the high watermark
// or otherwise negative OFFSET_OUT_OF_RANGE; internal topics (__consumer_offsets …) INVALID_TOPIC_EXCEPTION;
// a topic whose cleanup.policy lacks delete POLICY_VIOLATION; a failed checkpoint KAFKA_STORAGE_ERROR.
// Each failed partition answers lowWatermark -1.
// Gaps: timeoutMs is not needed (no followers to wait for) and there is no authorization yet.
import { DeleteRecordsSpec, type DeleteRecordsRequest, type DeleteRecordsResponse, type DeleteRecordsPartitionResult } from '../wire/generated/delete-records.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { INTERNAL_TOPICS } from '../broker/topic-names.js'
import { OffsetOutOfRangeError } from '../log/errors.js'

const HIGH_WATERMARK = -1n

type Result = Init<DeleteRecordsPartitionResult>

async function deletePartition (ctx: RequestContext, topic: string, partitionIndex: number, offset: bigint): Promise<Result> {
  const fail = (errorCode: number): Result => ({ partitionIndex, lowWatermark: -1n, errorCode })
  const broker = ctx.broker
  const image = broker.metadata.image.topicsByName.get(topic)
  const p = broker.partition(topic, partitionIndex)
  if (image === undefined || p === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  if (INTERNAL_TOPICS.has(topic)) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION)
  if (!(broker.topicConfig(image, 'cleanup.policy') as string[]).includes('delete')) return fail(ErrorCode.POLICY_VIOLATION)
  const target = offset === HIGH_WATERMARK ? p.highWatermark : offset
  if (target < 0n || target > p.highWatermark) return fail(ErrorCode.OFFSET_OUT_OF_RANGE)
  try {
    const lowWatermark = await p.log.incrementLogStartOffset(target)
    return { partitionIndex, lowWatermark, errorCode: ErrorCode.NONE }
  } catch (err) {
    if (err instanceof OffsetOutOfRangeError) return fail(ErrorCode.OFFSET_OUT_OF_RANGE)
    ctx.log.error({ err, topic, partition: partitionIndex }, 'delete records failed')
    return fail(ErrorCode.KAFKA_STORAGE_ERROR)
  }
}

export const deleteRecordsHandler: Handler = {
  apiKey: 21,
  spec: DeleteRecordsSpec,
  minVersion: 0,
  maxVersion: 2,
  async handle (ctx: RequestContext, req: DeleteRecordsRequest): Promise<Init<DeleteRecordsResponse>> {
    const topics = await Promise.all(req.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async p => await deletePartition(ctx, t.name, p.partitionIndex, p.offset)))
    })))
    for (const t of topics) {
      for (const p of t.partitions) {
        if (p.errorCode === ErrorCode.NONE) ctx.log.info({ topic: t.name, partition: p.partitionIndex, logStartOffset: p.lowWatermark }, 'deleted records')
      }
    }
    return { throttleTimeMs: 0, topics }
  }
}
