// Request builders and shorthands over RawClient for the handful of APIs the handler tests drive.
import type { RawClient } from './raw-client.js'
import { encodeBatch, decodeBatches, type RecordInput, type BatchInput, type DecodedBatch } from '../../src/wire/records.js'

export const API = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20
} as const

export interface TopicSpec {
  name: string
  numPartitions?: number
  replicationFactor?: number
  assignments?: { partitionIndex: number, brokerIds: number[] }[]
  configs?: Record<string, string | null>
}

function creatable (s: TopicSpec): object {
  return {
    name: s.name,
    numPartitions: s.numPartitions ?? 1,
    replicationFactor: s.replicationFactor ?? 1,
    assignments: s.assignments ?? [],
    configs: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value }))
  }
}

export async function createTopicsRaw (c: RawClient, topics: TopicSpec[], opts: { version?: number, validateOnly?: boolean } = {}): Promise<any> {
  return await c.request(API.CreateTopics, opts.version ?? 7, { topics: topics.map(creatable), timeoutMs: 5000, validateOnly: opts.validateOnly ?? false })
}

/** Creates one topic and fails loudly if the broker refuses; returns the topic id. */
export async function createTopic (c: RawClient, spec: TopicSpec): Promise<string> {
  const res = await createTopicsRaw(c, [spec])
  const r = res.topics[0]
  if (r.errorCode !== 0) throw new Error(`CreateTopics ${spec.name}: error ${r.errorCode} ${r.errorMessage}`)
  return r.topicId
}

export async function metadata (c: RawClient, topics: string[] | null, version = 12, allowAutoTopicCreation = true): Promise<any> {
  return await c.request(API.Metadata, version, {
    topics: topics === null ? null : topics.map(name => ({ name })),
    allowAutoTopicCreation
  })
}

export function textRecords (values: string[], opts: { keyPrefix?: string, timestamp?: bigint } = {}): RecordInput[] {
  return values.map((v, i) => ({
    key: opts.keyPrefix === undefined ? null : Buffer.from(`${opts.keyPrefix}${i}`),
    value: Buffer.from(v),
    headers: [],
    timestamp: opts.timestamp
  }))
}

export async function batch (records: RecordInput[], opts: Omit<BatchInput, 'records'> = {}): Promise<Buffer> {
  return await encodeBatch({ records, ...opts })
}

export interface ProduceTarget {
  topic: string
  topicId?: string
  partition?: number
  records: Buffer | null
}

export function produceBody (targets: ProduceTarget[], acks = -1): object {
  const byTopic = new Map<string, ProduceTarget[]>()
  for (const t of targets) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t])
  return {
    transactionalId: null,
    acks,
    timeoutMs: 5000,
    topicData: [...byTopic.entries()].map(([name, ts]) => ({
      name,
      topicId: ts[0]!.topicId,
      partitionData: ts.map(t => ({ index: t.partition ?? 0, records: t.records }))
    }))
  }
}

/** Produces one batch to one partition and returns that partition's response. */
export async function produce (c: RawClient, target: ProduceTarget, opts: { version?: number, acks?: number } = {}): Promise<any> {
  const res = await c.request(API.Produce, opts.version ?? 11, produceBody([target], opts.acks ?? -1))
  return res.responses[0].partitionResponses[0]
}

/** Produces text values to partition 0 and fails loudly on an error; returns the base offset. */
export async function produceValues (c: RawClient, topic: string, values: string[], partition = 0): Promise<bigint> {
  const r = await produce(c, { topic, partition, records: await batch(textRecords(values)) })
  if (r.errorCode !== 0) throw new Error(`Produce ${topic}-${partition}: error ${r.errorCode} ${r.errorMessage}`)
  return r.baseOffset
}

export interface FetchTarget {
  topic: string
  topicId?: string
  partition?: number
  offset?: bigint
  partitionMaxBytes?: number
  currentLeaderEpoch?: number
}

export interface FetchOptions {
  version?: number
  maxWaitMs?: number
  minBytes?: number
  maxBytes?: number
  isolationLevel?: number
  sessionId?: number
  sessionEpoch?: number
}

export function fetchBody (targets: FetchTarget[], o: FetchOptions = {}): object {
  const byTopic = new Map<string, FetchTarget[]>()
  for (const t of targets) byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), t])
  return {
    replicaId: -1,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: o.maxBytes ?? 50 * 1024 * 1024,
    isolationLevel: o.isolationLevel ?? 0,
    sessionId: o.sessionId ?? 0,
    sessionEpoch: o.sessionEpoch ?? -1,
    // Names below v13, ids from v13: a target may carry both and work at every version.
    topics: [...byTopic.entries()].map(([topic, ts]) => ({
      topic: (o.version ?? 12) >= 13 ? '' : topic,
      topicId: (o.version ?? 12) >= 13 ? ts[0]!.topicId : undefined,
      partitions: ts.map(t => ({
        partition: t.partition ?? 0,
        currentLeaderEpoch: t.currentLeaderEpoch ?? -1,
        fetchOffset: t.offset ?? 0n,
        logStartOffset: -1n,
        partitionMaxBytes: t.partitionMaxBytes ?? 1024 * 1024
      }))
    })),
    forgottenTopicsData: [],
    rackId: ''
  }
}

export async function fetch (c: RawClient, targets: FetchTarget[], o: FetchOptions = {}): Promise<any> {
  return await c.request(API.Fetch, o.version ?? 12, fetchBody(targets, o))
}

/** Fetches one partition and decodes its records. */
export async function fetchOne (c: RawClient, target: FetchTarget, o: FetchOptions = {}): Promise<{ partition: any, batches: DecodedBatch[] }> {
  const res = await fetch(c, [target], o)
  const partition = res.responses[0].partitions[0]
  return { partition, batches: partition.records === null ? [] : await decodeBatches(partition.records) }
}

export function values (batches: DecodedBatch[]): string[] {
  return batches.flatMap(b => b.records.map(r => r.value === null ? '<null>' : r.value.toString()))
}

export async function listOffsets (c: RawClient, topic: string, partitions: { partitionIndex: number, timestamp: bigint, currentLeaderEpoch?: number }[], version = 9, isolationLevel = 0): Promise<any[]> {
  const res = await c.request(API.ListOffsets, version, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: partitions.map(p => ({ currentLeaderEpoch: -1, ...p })) }],
    timeoutMs: 1000
  })
  return res.topics[0].partitions
}
