// ListOffsets (key 2), versions 1–11.
//
// Behaviour: EARLIEST (-2) and EARLIEST_LOCAL (-4) answer the log start offset; LATEST (-1) the high
// watermark, or the last stable offset under READ_COMMITTED, with the current leader epoch; MAX_TIMESTAMP
// (-3, v7+) the offset and timestamp of the record with the largest timestamp; any other timestamp the
// first offset whose record timestamp is at or after it (offset -1 when there is none below the last
// fetchable offset). LATEST_TIERED (-5) and EARLIEST_PENDING_UPLOAD (-6) answer offset -1, as Kafka does
// without tiered storage. Partitions named twice get INVALID_REQUEST; a stale or future CurrentLeaderEpoch
// (v4+) FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH; unknown partitions UNKNOWN_TOPIC_OR_PARTITION.
// Gaps: none known for a single broker (timeoutMs only matters for remote storage).
import { ListOffsetsSpec, type ListOffsetsRequest, type ListOffsetsResponse, type ListOffsetsPartitionResponse } from '../wire/generated/list-offsets.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Partition } from '../broker/partition.js'

const LATEST = -1n
const EARLIEST = -2n
const MAX_TIMESTAMP = -3n
const EARLIEST_LOCAL = -4n
const LATEST_TIERED = -5n
const EARLIEST_PENDING_UPLOAD = -6n
const READ_COMMITTED = 1

type Result = Init<ListOffsetsPartitionResponse>

function error (partitionIndex: number, errorCode: number): Result {
  return { partitionIndex, errorCode, timestamp: -1n, offset: -1n, leaderEpoch: -1 }
}

async function lookup (p: Partition, partitionIndex: number, timestamp: bigint, readCommitted: boolean): Promise<Result> {
  const ok = (offset: bigint, ts: bigint, leaderEpoch: number): Result => ({ partitionIndex, errorCode: ErrorCode.NONE, timestamp: ts, offset, leaderEpoch })
  const lastFetchable = readCommitted ? p.lastStableOffset : p.highWatermark
  switch (timestamp) {
    case LATEST:
      return ok(lastFetchable, -1n, p.leaderEpoch)
    case EARLIEST:
    case EARLIEST_LOCAL:
      // The leader epoch cache holds (epoch, start offset) from the moment the partition got its leader.
      return ok(p.logStartOffset, -1n, p.leaderEpoch)
    case LATEST_TIERED:
    case EARLIEST_PENDING_UPLOAD:
      return ok(-1n, -1n, -1)
    case MAX_TIMESTAMP: {
      const found = await p.log.maxTimestampOffset()
      if (found === null) return ok(-1n, -1n, -1)
      return ok(found.offset, found.timestamp, found.leaderEpoch)
    }
    default: {
      const found = await p.log.offsetForTimestamp(timestamp)
      if (found === null || found.offset >= lastFetchable) return ok(-1n, -1n, -1)
      return ok(found.offset, found.timestamp, found.leaderEpoch)
    }
  }
}

export const listOffsetsHandler: Handler = {
  apiKey: 2,
  spec: ListOffsetsSpec,
  minVersion: 1,
  maxVersion: 11,
  async handle (ctx: RequestContext, req: ListOffsetsRequest): Promise<Init<ListOffsetsResponse>> {
    const broker = ctx.broker
    const readCommitted = ctx.apiVersion >= 2 && req.isolationLevel === READ_COMMITTED
    const seen = new Map<string, number>()
    for (const t of req.topics) for (const p of t.partitions) {
      const key = `${t.name}\u0000${p.partitionIndex}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
    const topics = await Promise.all(req.topics.map(async t => ({
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async rp => {
        if (seen.get(`${t.name}\u0000${rp.partitionIndex}`)! > 1) return error(rp.partitionIndex, ErrorCode.INVALID_REQUEST)
        const p = broker.partition(t.name, rp.partitionIndex)
        if (p === undefined) return error(rp.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        if (ctx.apiVersion >= 4 && rp.currentLeaderEpoch !== -1 && rp.currentLeaderEpoch !== p.leaderEpoch) {
          return error(rp.partitionIndex, rp.currentLeaderEpoch < p.leaderEpoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH)
        }
        try {
          const found = await lookup(p, rp.partitionIndex, rp.timestamp, readCommitted)
          // The leader epoch exists from v4; Kafka's encoder refuses a non-default value below that.
          if (ctx.apiVersion < 4) found.leaderEpoch = -1
          return found
        } catch (err) {
          ctx.log.error({ err, topic: t.name, partition: rp.partitionIndex }, 'offset lookup failed')
          return error(rp.partitionIndex, ErrorCode.KAFKA_STORAGE_ERROR)
        }
      }))
    })))
    return { throttleTimeMs: 0, topics }
  }
}
