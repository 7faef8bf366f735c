// Produce (key 0), versions 3–13 (advertised from 0, as Kafka 4.x does so librdkafka keeps compression on;
// a v0–2 request is refused by the connection like any unsupported version).
//
// Behaviour: acks must be -1, 0 or 1 (else INVALID_REQUIRED_ACKS everywhere). Each partition's records are
// validated from the batch header alone (exactly one v2 batch, CRC-32C, size against max.message.bytes,
// offsets/count consistency; see wire/batch-validate.ts) and appended as the same bytes with the broker's
// offsets and leader epoch. Records are decoded only when the topic needs it: compacted topics (keys
// required), a non-default message.timestamp.before.max.ms, or compression.type other than `producer`
// (the batch is rebuilt in the topic's codec). LogAppendTime topics get the broker's time written into
// the batch. acks=-1 with min.insync.replicas above the ISR size gives NOT_ENOUGH_REPLICAS. acks=0 sends
// no response, and closes the connection if any partition failed, as Kafka does. v13 addresses topics by
// id (UNKNOWN_TOPIC_ID).
// Idempotence and transactions: each batch with a producer id is checked against the partition's producer
// state at the moment its offsets are assigned (log/producer-state.ts): a retried batch is answered with
// its original offsets (and LogAppendTime -1) without appending; a sequence gap is
// OUT_OF_ORDER_SEQUENCE_NUMBER and an older epoch INVALID_PRODUCER_EPOCH. A transactional batch is also
// verified against the transaction coordinator in the same step (KIP-890 part 1): its partition must be in
// the producer's Ongoing transaction (INVALID_TXN_STATE otherwise, INVALID_PRODUCER_EPOCH when fenced,
// INVALID_PRODUCER_ID_MAPPING for a wrong producer id); a transaction being completed answers the
// retriable NOT_ENOUGH_REPLICAS, as Kafka converts CONCURRENT_TRANSACTIONS for produce.
// Produce v12+ (transactions v2): the transactional partitions of the request are first added to the
// producer's transaction, one AddPartitionsToTxn per request as Kafka's AddPartitionsToTxnManager sends
// it, so a TV2 producer never adds them itself; an add that fails answers its error for those partitions.
// Quotas: producer_byte_rate by user and client id counts the request size (src/broker/quotas.ts); over
// the quota, the response carries the throttle time and the connection is muted for it (v6+, KIP-219) or
// the response is held back for it (v3–5).
import { ProduceSpec, type ProduceRequest, type ProduceResponse, type ProduceResponsePartitionProduceResponse } from '../wire/generated/produce.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { validateRecords, validateRecordsDeep } from '../wire/batch-validate.js'
import { decodeBatch, encodeBatch } from '../wire/records.js'
import { BatchView } from '../wire/record-batch.js'
import { LONG_MAX_STRING } from '../config/config-def.js'
import { NO_RESPONSE, CLOSE_CONNECTION, type Handler, type HandlerResult } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Broker } from '../broker/broker.js'
import type { AppendRejection, AppendOrigin } from '../broker/partition.js'
import type { TopicImage } from '../metadata/image.js'
import { ANONYMOUS_USER } from '../broker/quotas.js'

type PartitionResponse = Init<ProduceResponsePartitionProduceResponse>

const CODECS: Record<string, number> = { uncompressed: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }
const LONG_MAX = BigInt(LONG_MAX_STRING)

function errorResponse (index: number, errorCode: number, errorMessage: string | null = null, recordErrors: { batchIndex: number, message: string }[] = []): PartitionResponse {
  return { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: recordErrors.map(e => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })), errorMessage }
}

/** A failed transaction verification as Produce reports it. */
function verifyError (code: number): number {
  switch (code) {
    case ErrorCode.PRODUCER_FENCED: return ErrorCode.INVALID_PRODUCER_EPOCH
    case ErrorCode.CONCURRENT_TRANSACTIONS:
    case ErrorCode.COORDINATOR_LOAD_IN_PROGRESS:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
    case ErrorCode.NOT_COORDINATOR:
      return ErrorCode.NOT_ENOUGH_REPLICAS
    default: return code
  }
}

/** The topic configs every produce reads, resolved through the config layers once per metadata change. */
interface ProduceConfigs {
  maxMessageBytes: number
  minIsr: number
  logAppendTime: boolean
  compacted: boolean
  beforeMax: bigint
  afterMax: bigint
  codec: string
}

// Keyed by the topic's image object (gone with the topic) and checked against the metadata offset, which
// every topic or broker config change moves.
const produceConfigCache = new WeakMap<TopicImage, { at: bigint, value: ProduceConfigs }>()

function produceConfigs (broker: Broker, topic: TopicImage): ProduceConfigs {
  const at = broker.metadata.image.lastOffset
  const cached = produceConfigCache.get(topic)
  if (cached !== undefined && cached.at === at) return cached.value
  const value: ProduceConfigs = {
    maxMessageBytes: broker.topicConfig(topic, 'max.message.bytes') as number,
    minIsr: broker.topicConfig(topic, 'min.insync.replicas') as number,
    logAppendTime: broker.topicConfig(topic, 'message.timestamp.type') === 'LogAppendTime',
    compacted: (broker.topicConfig(topic, 'cleanup.policy') as string[]).includes('compact'),
    beforeMax: broker.topicConfig(topic, 'message.timestamp.before.max.ms') as bigint,
    afterMax: broker.topicConfig(topic, 'message.timestamp.after.max.ms') as bigint,
    codec: broker.topicConfig(topic, 'compression.type') as string
  }
  produceConfigCache.set(topic, { at, value })
  return value
}

async function producePartition (ctx: RequestContext, topic: TopicImage, index: number, records: Buffer | null, acks: number, transactionalId: string | null, added?: Promise<number>): Promise<PartitionResponse> {
  const broker = ctx.broker
  if (added !== undefined) {
    const code = await added
    if (code !== ErrorCode.NONE) return errorResponse(index, verifyError(code), `Could not add ${topic.name}-${index} to the transaction (error ${code})`)
  }
  const partition = broker.partition(topic.name, index)
  if (partition === undefined) return errorResponse(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
  const cfg = produceConfigs(broker, topic)
  const checked = validateRecords(records ?? Buffer.alloc(0), { maxMessageBytes: cfg.maxMessageBytes, apiVersion: ctx.apiVersion })
  if (!checked.ok) {
    ctx.log.info({ topic: topic.name, partition: index, errorCode: checked.errorCode, err: checked.message }, 'produce rejected')
    return errorResponse(index, checked.errorCode, checked.message)
  }
  const batch = checked.batches[0]!
  const origin: AppendOrigin = {
    client: true,
    verify: (producerId, producerEpoch) => {
      const code = broker.transactions.verifyWrite(transactionalId, producerId, producerEpoch, topic.name, index)
      if (code === ErrorCode.NONE) return null
      return { errorCode: verifyError(code), message: `Transactional write to ${topic.name}-${index} refused by the transaction coordinator (error ${code})` }
    }
  }
  if (acks === -1) {
    const minIsr = cfg.minIsr
    const isr = topic.partitions[index]?.isr.length ?? 0
    if (isr < minIsr) {
      return errorResponse(index, ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR ${isr} is insufficient to satisfy the min.isr requirement of ${minIsr} for partition ${topic.name}-${index}`)
    }
  }
  const bytes = records!.subarray(0, checked.validBytes)
  const now = BigInt(Date.now())
  const { logAppendTime, compacted, beforeMax, afterMax, codec: topicCodec } = cfg
  const targetCodec = topicCodec === 'producer' ? batch.compression : CODECS[topicCodec]!
  // The header's maxTimestamp stands for the records unless it cannot: a timestamp out of range needs
  // the per-record errors Kafka reports, and some producers (sarama) send -1, which Kafka rewrites.
  const suspectTimestamps = !logAppendTime && (batch.maxTimestamp - now > afterMax || batch.maxTimestamp < 0n)
  const deep = compacted || beforeMax !== LONG_MAX || targetCodec !== batch.compression || suspectTimestamps

  let prepare: (() => Promise<Buffer | AppendRejection>) | undefined
  if (deep) {
    prepare = async () => {
      const v = await validateRecordsDeep(bytes, {
        timestampType: logAppendTime ? 'LogAppendTime' : 'CreateTime',
        nowMs: now,
        timestampBeforeMaxMs: beforeMax,
        timestampAfterMaxMs: afterMax,
        compacted
      })
      if (!v.ok) return { errorCode: v.errorCode, message: v.message, recordErrors: v.recordErrors }
      if (targetCodec !== batch.compression || v.needsRebuild) return await rebuild(bytes, targetCodec)
      const view = new BatchView(bytes)
      if (!logAppendTime && view.maxTimestamp !== v.maxTimestamp) view.setMaxTimestamp(v.maxTimestamp)
      return bytes
    }
  }
  const result = await partition.append(bytes, logAppendTime ? now : undefined, prepare, origin)
  if ('errorCode' in result) {
    ctx.log.info({ topic: topic.name, partition: index, errorCode: result.errorCode, err: result.message }, 'produce rejected')
    // Per-record errors exist from v8.
    return errorResponse(index, result.errorCode, result.message, ctx.apiVersion >= 8 ? result.recordErrors : [])
  }
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: result.baseOffset,
    logAppendTimeMs: logAppendTime && result.duplicate !== true ? now : -1n,
    logStartOffset: partition.logStartOffset,
    recordErrors: [],
    errorMessage: null
  }
}

/** Re-encodes a batch's records in another codec (topic compression.type), keeping producer fields. */
async function rebuild (bytes: Buffer, codec: number): Promise<Buffer> {
  const d = await decodeBatch(bytes)
  const view = new BatchView(bytes)
  return await encodeBatch({
    records: d.records.map(r => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    compression: codec,
    producerId: d.producerId,
    producerEpoch: d.producerEpoch,
    baseSequence: d.baseSequence,
    isTransactional: d.isTransactional,
    timestampType: d.timestampType,
    baseTimestamp: view.baseTimestamp
  })
}

/**
 * Produce v12+: adds the request's transactional partitions (those whose batch is transactional) to the
 * producer's transaction in one coordinator call per producer id and epoch. Keyed by topic NUL partition.
 */
function addImplicitly (broker: Broker, v: number, req: ProduceRequest): Map<string, Promise<number>> {
  const out = new Map<string, Promise<number>>()
  const transactionalId = req.transactionalId
  if (transactionalId === null || transactionalId === '') return out
  const groups = new Map<string, { producerId: bigint, producerEpoch: number, keys: string[], partitions: { topic: string, partition: number }[] }>()
  for (const td of req.topicData) {
    const topic = lookupTopic(broker, v, td.name, td.topicId)
    if (topic === undefined) continue
    for (const pd of td.partitionData) {
      const r = pd.records
      if (r === null || r.length < 61 || topic.partitions[pd.index] === undefined) continue
      const view = new BatchView(r)
      if (!view.isTransactional || view.producerId < 0n || view.isControl) continue
      const g = `${view.producerId}:${view.producerEpoch}`
      let entry = groups.get(g)
      if (entry === undefined) groups.set(g, entry = { producerId: view.producerId, producerEpoch: view.producerEpoch, keys: [], partitions: [] })
      entry.keys.push(`${topic.name}\0${pd.index}`)
      entry.partitions.push({ topic: topic.name, partition: pd.index })
    }
  }
  for (const g of groups.values()) {
    const done = broker.transactions.addPartitions(transactionalId, g.producerId, g.producerEpoch, g.partitions, 2)
    for (const k of g.keys) out.set(k, done)
  }
  return out
}

function lookupTopic (broker: Broker, v: number, name: string, topicId: string): TopicImage | undefined {
  const image = broker.metadata.image
  return v >= 13 ? image.topicsById.get(topicId) : image.topicsByName.get(name)
}

export const produceHandler: Handler = {
  apiKey: 0,
  spec: ProduceSpec,
  minVersion: 3,
  maxVersion: 13,
  advertisedMinVersion: 0,
  async handle (ctx: RequestContext, req: ProduceRequest): Promise<HandlerResult> {
    const broker = ctx.broker
    const v = ctx.apiVersion
    const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1
    const added = v >= 12 && validAcks ? addImplicitly(broker, v, req) : new Map<string, Promise<number>>()
    const responses = await Promise.all(req.topicData.map(async td => {
      const topic = lookupTopic(broker, v, td.name, td.topicId)
      const partitionResponses = await Promise.all(td.partitionData.map(pd => {
        if (!validAcks) return errorResponse(pd.index, ErrorCode.INVALID_REQUIRED_ACKS)
        if (topic === undefined) return errorResponse(pd.index, v >= 13 ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
        return producePartition(ctx, topic, pd.index, pd.records, req.acks, req.transactionalId, added.get(`${topic.name}\0${pd.index}`))
      }))
      return { name: td.name, topicId: td.topicId, partitionResponses }
    }))
    // Kafka's produce byte-rate quota counts the whole request; acks=0 has no response to carry the
    // throttle time, so its connection is only muted.
    const throttleTimeMs = broker.quotas.produce.recordAndGetThrottleTimeMs(ANONYMOUS_USER, ctx.clientId, ctx.requestSize)
    if (throttleTimeMs > 0) ctx.throttleMs = { ms: throttleTimeMs, clientEnforces: v >= 6 || req.acks === 0 }
    if (req.acks === 0) {
      const failed = responses.some(t => t.partitionResponses.some(p => p.errorCode !== ErrorCode.NONE))
      return failed ? CLOSE_CONNECTION : NO_RESPONSE
    }
    return { responses, throttleTimeMs } satisfies Init<ProduceResponse>
  }
}
