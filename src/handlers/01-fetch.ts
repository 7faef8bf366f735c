// Fetch (key 1), versions 4–18.
//
// Behaviour: reads whole batches as stored (the batch containing the fetch offset is returned from its
// start), up to PartitionMaxBytes per partition and MaxBytes overall — except that the first batch of the
// first partition with data is returned whole even when larger (KIP-74). Long-poll: when fewer than
// MinBytes are available and MaxWaitMs > 0 the answer waits until appends bring enough data or the wait
// ends, and is answered at once on a read error of a known partition (offset out of range, fencing, a
// topic deleted during the wait); partitions the metadata does not know (UNKNOWN_TOPIC_ID,
// UNKNOWN_TOPIC_OR_PARTITION) are answered alongside without ending the wait, as KafkaApis sets them
// aside before ReplicaManager.fetchMessages, and a fetch of only such partitions is answered at once. READ_COMMITTED reads stop at the last stable
// offset (the first offset of the earliest open transaction) and carry the aborted transactions that
// overlap the returned batches, from the partition's transaction index. Every partition carries high watermark, last stable offset and log start offset; records are
// always present, empty rather than null. Errors: UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID (v13+),
// OFFSET_OUT_OF_RANGE, FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH for a stale or future
// CurrentLeaderEpoch (v9+); errored partitions report -1 offsets, as Kafka does.
// Fetch sessions (KIP-227, v7+) as Kafka's FetchManager runs them: epoch -1 is a sessionless full fetch
// (session id 0); epoch 0 a full fetch that opens a session when the broker's cache has room
// (src/broker/fetch-session-cache.ts); a session id with epoch > 0 an incremental fetch, whose partitions
// update the session, whose forgotten topics leave it, and whose answer carries only the partitions with
// something new (records, a changed high watermark or log start offset, an error); partitions that
// returned records move to the back of the session's order. A full fetch naming a session closes it.
// Unknown session: FETCH_SESSION_ID_NOT_FOUND; wrong epoch: INVALID_FETCH_SESSION_EPOCH; a session opened
// with topic ids continued without (or the reverse): FETCH_SESSION_TOPIC_ID_ERROR — each with no
// partitions. A session answer that lost a race with a newer request of the same session is
// INVALID_FETCH_SESSION_EPOCH; a session's topic recreated under its name is INCONSISTENT_TOPIC_ID.
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
import { ZERO_UUID } from '../wire/uuid.js'
import {
  type FetchSessionCache, type FetchSession, type CachedPartition, type PartitionRequest, type PartitionResponse,
  INVALID_SESSION_ID, INITIAL_EPOCH, FINAL_EPOCH, nextEpoch, partitionKey, cachedPartition, mustRespond
} from '../broker/fetch-session-cache.js'

const EMPTY = Buffer.alloc(0)
const READ_COMMITTED = 1

type PartitionData = Init<FetchResponsePartitionData>

interface Target {
  request: PartitionRequest & { partition: number }
  partition: Partition | undefined
  errorCode: number
  /** Unknown to the metadata: KafkaApis answers these itself ("erroneous"), so they do not end a long-poll. */
  unknown: boolean
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
      if (!t.unknown) errors = true
      continue
    }
    const p = t.partition
    const hw = p.highWatermark
    const lso = p.lastStableOffset
    const limit = Math.max(0, Math.min(t.request.maxBytes, maxBytes - bytes))
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

type Context =
  | { kind: 'error', errorCode: number }
  | { kind: 'sessionless' }
  | { kind: 'full' }
  | { kind: 'incremental', session: FetchSession, requestEpoch: number }

/** One partition to read: from the request (sessionless, full) or from the session (incremental). */
interface Entry {
  key: string
  topic: string | null
  topicId: string
  request: PartitionRequest & { partition: number }
}

/** Kafka's FetchManager.newContext: which kind of answer this request gets, the session updated first. */
function newContext (cache: FetchSessionCache, sessionId: number, epoch: number, usesTopicIds: boolean, fetchData: Map<string, CachedPartition>, toForget: string[], log: Logger): Context {
  if (epoch === INITIAL_EPOCH || epoch === FINAL_EPOCH) {
    // A full request names every partition, so any session it mentions is over.
    if (sessionId !== INVALID_SESSION_ID && cache.remove(sessionId) !== undefined) log.debug({ sessionId }, 'fetch session closed by a full fetch')
    return epoch === FINAL_EPOCH ? { kind: 'sessionless' } : { kind: 'full' }
  }
  const session = cache.get(sessionId)
  if (session === undefined) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND }
  if (session.epoch !== epoch) {
    log.debug({ sessionId, expected: session.epoch, got: epoch }, 'fetch session epoch mismatch')
    return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH }
  }
  if (session.usesTopicIds !== usesTopicIds) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR }
  const changes = session.update([...fetchData.values()], toForget)
  if (session.size === 0) {
    // Forgetting every partition ends the session; the request is then answered without one.
    cache.remove(session)
    log.debug({ sessionId }, 'fetch session emptied and closed')
    return { kind: 'sessionless' }
  }
  cache.touch(session)
  session.epoch = nextEpoch(session.epoch)
  log.debug({ sessionId, epoch: session.epoch, ...changes }, 'incremental fetch')
  return { kind: 'incremental', session, requestEpoch: epoch }
}

function partitionRequest (fp: FetchPartition): PartitionRequest {
  return { maxBytes: fp.partitionMaxBytes, fetchOffset: fp.fetchOffset, currentLeaderEpoch: fp.currentLeaderEpoch, lastFetchedEpoch: fp.lastFetchedEpoch, fetcherLogStartOffset: fp.logStartOffset }
}

function responseOf (d: PartitionData): PartitionResponse {
  return { errorCode: d.errorCode ?? 0, highWatermark: d.highWatermark ?? -1n, logStartOffset: d.logStartOffset ?? -1n, recordsBytes: d.records?.length ?? 0, preferredReadReplica: d.preferredReadReplica ?? -1, divergingEpoch: false }
}

/** Consecutive partitions of one topic share a topic entry, as Kafka's FetchResponse.of groups them. */
function byTopic (entries: Entry[], data: PartitionData[]): Init<FetchResponse>['responses'] {
  const out: { topic: string, topicId: string, partitions: PartitionData[] }[] = []
  let last: Entry | undefined
  entries.forEach((e, i) => {
    const prev = out[out.length - 1]
    if (prev !== undefined && last !== undefined && last.topicId === e.topicId && last.topic === e.topic) prev.partitions.push(data[i]!)
    else out.push({ topic: e.topic ?? '', topicId: e.topicId, partitions: [data[i]!] })
    last = e
  })
  return out
}

export const fetchHandler: Handler = {
  apiKey: 1,
  spec: FetchSpec,
  minVersion: 4,
  maxVersion: 18,
  async handle (ctx: RequestContext, req: FetchRequest): Promise<Init<FetchResponse>> {
    const broker = ctx.broker
    const v = ctx.apiVersion
    const usesTopicIds = v >= 13
    const image = broker.metadata.image
    const nameOf = (id: string): string | null => image.topicsById.get(id)?.name ?? null
    // In request order, repeats kept (the sessionless answer mirrors the request); a session keeps one per key.
    const requested: Entry[] = []
    const fetchData = new Map<string, CachedPartition>()
    for (const ft of req.topics) {
      const topic = usesTopicIds ? nameOf(ft.topicId) : ft.topic
      const topicId = usesTopicIds ? ft.topicId : ZERO_UUID
      for (const fp of ft.partitions) {
        const key = partitionKey(topicId, topic, fp.partition)
        const cp = cachedPartition(topic, topicId, fp.partition, partitionRequest(fp))
        fetchData.set(key, cp)
        requested.push({ key, topic, topicId, request: { ...cp } })
      }
    }
    // Before v7 there are no sessions: every fetch is sessionless.
    const sessionId = v >= 7 ? req.sessionId : INVALID_SESSION_ID
    const sessionEpoch = v >= 7 ? req.sessionEpoch : FINAL_EPOCH
    const toForget = v >= 7
      ? req.forgottenTopicsData.flatMap(f => f.partitions.map(p => usesTopicIds ? partitionKey(f.topicId, null, p) : partitionKey(ZERO_UUID, f.topic, p)))
      : []
    const context = newContext(broker.fetchSessions, sessionId, sessionEpoch, usesTopicIds, fetchData, toForget, ctx.log)
    if (context.kind === 'error') return { throttleTimeMs: 0, errorCode: context.errorCode, sessionId: INVALID_SESSION_ID, responses: [] }

    let entries: Entry[] = requested
    if (context.kind === 'incremental') {
      entries = []
      for (const [key, cp] of context.session.partitions) {
        // A topic id the metadata did not know when the partition joined the session may be known now.
        if (context.session.usesTopicIds && cp.topic === null) cp.topic = nameOf(cp.topicId)
        entries.push({ key, topic: cp.topic, topicId: cp.topicId, request: { ...cp } })
      }
    }
    const targets: Target[] = entries.map(e => {
      const topic = e.topic === null ? undefined : image.topicsByName.get(e.topic)
      const partition = topic === undefined ? undefined : broker.partition(topic.name, e.request.partition)
      let errorCode: number = ErrorCode.NONE
      const unknown = e.topic === null || topic === undefined || topic.partitions[e.request.partition] === undefined
      if (e.topic === null) errorCode = ErrorCode.UNKNOWN_TOPIC_ID
      else if (topic === undefined || partition === undefined) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      // A session's partition whose topic was recreated under the same name is another topic now.
      else if (e.topicId !== ZERO_UUID && topic.id !== e.topicId) errorCode = ErrorCode.INCONSISTENT_TOPIC_ID
      else if (v >= 9) errorCode = leaderEpochError(e.request.currentLeaderEpoch, partition.leaderEpoch)
      return { request: e.request, partition, errorCode, unknown }
    })

    const readCommitted = req.isolationLevel === READ_COMMITTED
    const deadline = Date.now() + Math.max(0, req.maxWaitMs)
    // A consumer byte-rate quota caps one fetch at what the quota window allows (getMaxValueInQuotaWindow).
    const maxBytes = Math.min(req.maxBytes, broker.quotas.fetch.maxValueInQuotaWindow(ANONYMOUS_USER, ctx.clientId))
    const minBytes = Math.min(req.minBytes, maxBytes)
    let result = await readAll(targets, maxBytes, readCommitted, ctx.log)
    // As ReplicaManager.fetchMessages: only partitions the metadata knows are waited on.
    const interesting = targets.some(t => !t.unknown)
    while (!result.errors && result.bytes < minBytes && interesting && !ctx.connection.closed && !broker.shuttingDown) {
      const left = deadline - Date.now()
      if (left <= 0) break
      await waitForAppend(targets, left)
      result = await readAll(targets, maxBytes, readCommitted, ctx.log)
    }
    // The session learns what was sent only from the answer actually sent, whether it waited or not.
    const staleEpoch = context.kind === 'incremental' && context.session.epoch !== nextEpoch(context.requestEpoch)
    const throttleTimeMs = broker.quotas.fetch.recordAndGetThrottleTimeMs(ANONYMOUS_USER, ctx.clientId, result.bytes)
    if (throttleTimeMs > 0) {
      // As Kafka does: a throttled fetch is answered with no data, and its bytes are taken back.
      broker.quotas.fetch.unrecord(ANONYMOUS_USER, ctx.clientId, result.bytes)
      ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: v >= 8 }
      if (context.kind !== 'incremental') return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, responses: [] }
      return { throttleTimeMs, errorCode: staleEpoch ? ErrorCode.INVALID_FETCH_SESSION_EPOCH : ErrorCode.NONE, sessionId: context.session.id, responses: [] }
    }
    if (context.kind === 'sessionless') return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: INVALID_SESSION_ID, responses: byTopic(entries, result.data) }
    if (context.kind === 'full') {
      const isFollower = (v >= 15 ? req.replicaState.replicaId : req.replicaId) >= 0
      const id = broker.fetchSessions.maybeCreateSession(isFollower, fetchData.size, usesTopicIds, () => new Map(entries.map((e, i) =>
        [e.key, cachedPartition(e.topic, e.topicId, e.request.partition, e.request, responseOf(result.data[i]!))])))
      if (id !== INVALID_SESSION_ID) ctx.log.debug({ sessionId: id, partitions: fetchData.size }, 'fetch session created')
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: id, responses: byTopic(entries, result.data) }
    }
    const session = context.session
    if (staleEpoch) {
      // Another request of this session was answered while this one waited: a duplicate, as Kafka says.
      ctx.log.info({ sessionId: session.id, expected: nextEpoch(context.requestEpoch), epoch: session.epoch }, 'incremental fetch answered after a newer one of its session')
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH, sessionId: session.id, responses: [] }
    }
    const sent: Entry[] = []
    const sentData: PartitionData[] = []
    entries.forEach((e, i) => {
      const d = result.data[i]!
      const cp = session.partitions.get(e.key)
      if (cp === undefined || !mustRespond(cp, responseOf(d), true)) return
      sent.push(e)
      sentData.push(d)
      // Partitions that returned data go to the back, so the others are read first next time.
      if ((d.records?.length ?? 0) > 0) session.moveToEnd(e.key)
    })
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session.id, responses: byTopic(sent, sentData) }
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
