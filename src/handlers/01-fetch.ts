// Fetch (key 1), versions 4–18.
//
// Behaviour: reads whole batches as stored (the batch containing the fetch offset is returned from its
// start), up to PartitionMaxBytes per partition and MaxBytes overall — except that the first batch of the
// first partition with data is returned whole even when larger (KIP-74). Long-poll: when fewer than
// MinBytes are available and MaxWaitMs > 0 the answer waits until appends bring enough data or the wait
// ends, and is answered at once on any partition error. READ_COMMITTED reads stop at the last stable
// offset (the first offset of the earliest open transaction) and carry the aborted transactions that
// overlap the returned batches, from the partition's transaction index. Every partition carries high watermark, last stable offset and log start offset; records are
// always present, empty rather than null. Errors: UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID (v13+),
// OFFSET_OUT_OF_RANGE, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale or future
// CurrentLeaderEpoch (v9+); errored partitions report -1 offsets, as Kafka does.
// Fetch sessions (KIP-227) are declined the way a broker with a full session cache declines them: full
// fetches get session id 0 (so clients keep sending full fetches) and incremental ones
// FETCH_SESSION_ID_NOT_FOUND.
// Consumer byte-rate quotas (consumer_byte_rate by client id) cap the fetch size and, when exceeded,
// answer with no data and a throttle time (src/broker/quotas.ts); the size counted is the records bytes.
// Gaps: no follower fetching (single replica), no preferred read replica, no request_percentage quota.
import { FetchSpec, type FetchRequest, type FetchResponse, type FetchResponsePartitionData, type FetchPartition } from '../wire/generated/fetch.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Partition } from '../broker/partition.js'
import { OffsetOutOfRangeError, LogClosedError } from '../log/errors.js'
import type { Logger } from '../server/logger.js'
import { BatchView, BATCH_HEADER_SIZE } from '../wire/record-batch.js'
import { ANONYMOUS_USER } from '../broker/quotas.js'

const EMPTY = Buffer.alloc(0)
const READ_COMMITTED = 1

type PartitionData = Init<FetchResponsePartitionData>

interface Target {
  topicIndex: number
  request: FetchPartition
  partition: Partition | undefined
  errorCode: number
}

function errorData (index: number, errorCode: number): PartitionData {
  return { partitionIndex: index, errorCode, highWatermark: -1n, lastStableOffset: -1n, logStartOffset: -1n, abortedTransactions: null, preferredReadReplica: -1, records: EMPTY }
}

/** Reads every target once; returns the partition data and the bytes gathered. */
async function readAll (targets: Target[], maxBytes: number, readCommitted: boolean, log: Logger): Promise<{ data: PartitionData[], bytes: number, errors: boolean }> {
  const data: PartitionData[] = []
  let bytes = 0
  let errors = false
  for (const t of targets) {
    const index = t.request.partition
    if (t.errorCode !== ErrorCode.NONE || t.partition === undefined) {
      data.push(errorData(index, t.errorCode !== ErrorCode.NONE ? t.errorCode : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION))
      errors = true
      continue
    }
    const p = t.partition
    const hw = p.highWatermark
    const lso = p.lastStableOffset
    const limit = Math.max(0, Math.min(t.request.partitionMaxBytes, maxBytes - bytes))
    let records: Buffer
    try {
      records = (await p.log.read(t.request.fetchOffset, limit, { minOneBatch: bytes === 0, maxOffset: readCommitted ? lso : hw })).records
    } catch (err) {
      // A log closed under us belongs to a topic deleted during the long-poll.
      const code = err instanceof OffsetOutOfRangeError
        ? ErrorCode.OFFSET_OUT_OF_RANGE
        : err instanceof LogClosedError ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.KAFKA_STORAGE_ERROR
      if (code === ErrorCode.KAFKA_STORAGE_ERROR) log.error({ err, topic: p.topic, partition: index }, 'fetch read failed')
      data.push(errorData(index, code))
      errors = true
      continue
    }
    bytes += records.length
    data.push({
      partitionIndex: index,
      errorCode: ErrorCode.NONE,
      highWatermark: hw,
      lastStableOffset: lso,
      logStartOffset: p.logStartOffset,
      abortedTransactions: readCommitted ? abortedIn(p, t.request.fetchOffset, records) : null,
      preferredReadReplica: -1,
      records
    })
  }
  return { data, bytes, errors }
}

/**
 * The aborted transactions overlapping the fetched batches (Kafka's collectAbortedTransactions up to the
 * end of the data returned), so a read_committed consumer can drop their records.
 */
function abortedIn (p: Partition, fetchOffset: bigint, records: Buffer): { producerId: bigint, firstOffset: bigint }[] {
  if (records.length < BATCH_HEADER_SIZE || p.log.txnIndex.size === 0) return []
  let at = 0
  let end = fetchOffset
  while (at + BATCH_HEADER_SIZE <= records.length) {
    const v = new BatchView(records, at)
    end = v.lastOffset + 1n
    at += v.size
  }
  p.log.txnIndex.dropBefore(p.logStartOffset)
  return p.log.txnIndex.collect(fetchOffset, end).map(e => ({ producerId: e.producerId, firstOffset: e.firstOffset }))
}

function leaderEpochError (requested: number, current: number): number {
  if (requested === -1 || requested === current) return ErrorCode.NONE
  return requested < current ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH
}

export const fetchHandler: Handler = {
  apiKey: 1,
  spec: FetchSpec,
  minVersion: 4,
  maxVersion: 18,
  async handle (ctx: RequestContext, req: FetchRequest): Promise<Init<FetchResponse>> {
    const broker = ctx.broker
    const v = ctx.apiVersion
    if (v >= 7 && req.sessionEpoch !== 0 && req.sessionEpoch !== -1) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, responses: [] }
    }
    const image = broker.metadata.image
    const targets: Target[] = []
    const topics = req.topics.map((ft, topicIndex) => {
      const topic = v >= 13 ? image.topicsById.get(ft.topicId) : image.topicsByName.get(ft.topic)
      for (const fp of ft.partitions) {
        const partition = topic === undefined ? undefined : broker.partition(topic.name, fp.partition)
        let errorCode: number = ErrorCode.NONE
        if (topic === undefined) errorCode = v >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        else if (partition === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
        else if (v >= 9) errorCode = leaderEpochError(fp.currentLeaderEpoch, partition.leaderEpoch)
        targets.push({ topicIndex, request: fp, partition, errorCode })
      }
      return { topic: ft.topic, topicId: ft.topicId }
    })
    const readCommitted = req.isolationLevel === READ_COMMITTED
    const deadline = Date.now() + Math.max(0, req.maxWaitMs)
    // A consumer byte-rate quota caps one fetch at what the quota window allows (getMaxValueInQuotaWindow).
    const maxBytes = Math.min(req.maxBytes, broker.quotas.fetch.maxValueInQuotaWindow(ANONYMOUS_USER, ctx.clientId))
    const minBytes = Math.min(req.minBytes, maxBytes)
    let result = await readAll(targets, maxBytes, readCommitted, ctx.log)
    while (!result.errors && result.bytes < minBytes && targets.length > 0 && !ctx.connection.closed && !broker.shuttingDown) {
      const left = deadline - Date.now()
      if (left <= 0) break
      await waitForAppend(targets, left)
      result = await readAll(targets, maxBytes, readCommitted, ctx.log)
    }
    const throttleTimeMs = broker.quotas.fetch.recordAndGetThrottleTimeMs(ANONYMOUS_USER, ctx.clientId, result.bytes)
    if (throttleTimeMs > 0) {
      // As Kafka does: a throttled fetch is answered with no data, and its bytes are taken back.
      broker.quotas.fetch.unrecord(ANONYMOUS_USER, ctx.clientId, result.bytes)
      ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: v >= 8 }
      return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: 0, responses: [] }
    }
    const byTopic = topics.map(t => ({ ...t, partitions: [] as PartitionData[] }))
    targets.forEach((t, i) => byTopic[t.topicIndex]!.partitions.push(result.data[i]!))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: byTopic }
  }
}

function waitForAppend (targets: Target[], ms: number): Promise<void> {
  return new Promise(resolve => {
    const unsubscribe: (() => void)[] = []
    let timer: NodeJS.Timeout | undefined
    const done = (): void => {
      clearTimeout(timer)
      for (const u of unsubscribe) u()
      resolve()
    }
    timer = setTimeout(done, ms)
    for (const t of targets) if (t.partition !== undefined) unsubscribe.push(t.partition.onAppend(done))
  })
}
