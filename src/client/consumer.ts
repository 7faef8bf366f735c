// Reading: ListOffsets to turn beginning/end/timestamps into offsets, and a fetcher that keeps a position
// per partition and fetches from each partition's leader.
import { API, type KafkaClient } from './client.js'
import { KafkaError } from './errors.js'
import { decodeBatches, type Header } from '../wire/records.js'
import { deliverableBatches, READ_UNCOMMITTED } from './read-committed.js'
import type { ListOffsetsResponse } from '../wire/generated/list-offsets.js'
import type { FetchResponse } from '../wire/generated/fetch.js'

export const EARLIEST = -2n
export const LATEST = -1n

export type StartSpec =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'offset', offset: bigint }
  /** N records before the end (kcat's -o -N). */
  | { kind: 'fromEnd', count: bigint }
  | { kind: 'timestamp', timestamp: bigint }

/**
 * ListOffsets for partitions of a topic at `timestamp` (EARLIEST, LATEST or ms), sent to each leader.
 * A timestamp later than every record maps to -1, as Kafka answers. Under read_committed (isolation 1)
 * LATEST is the last stable offset.
 */
export async function listOffsets (client: KafkaClient, topic: string, partitions: number[], timestamp: bigint, isolationLevel = READ_UNCOMMITTED): Promise<Map<number, bigint>> {
  const meta = await client.topic(topic)
  const byLeader = new Map<number, number[]>()
  for (const p of partitions) {
    const leader = meta.partitions.get(p)?.leaderId
    if (leader === undefined) throw new KafkaError(3, `${topic}-${p}`, `topic ${topic} has no partition ${p}`)
    if (leader < 0) throw new KafkaError(5, `${topic}-${p}`)
    byLeader.set(leader, [...(byLeader.get(leader) ?? []), p])
  }
  const out = new Map<number, bigint>()
  await Promise.all([...byLeader].map(async ([leader, ps]) => {
    const c = await client.node(leader)
    c.version(API.ListOffsets, 'list offsets')
    const res = await c.request<ListOffsetsResponse>(API.ListOffsets, {
      replicaId: -1,
      isolationLevel,
      topics: [{ name: topic, partitions: ps.map(p => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp })) }],
      timeoutMs: 30000
    })
    for (const t of res.topics) {
      for (const r of t.partitions) {
        if (r.errorCode !== 0) throw new KafkaError(r.errorCode, `list offsets of ${topic}-${r.partitionIndex}`)
        out.set(r.partitionIndex, r.offset)
      }
    }
  }))
  for (const p of partitions) if (!out.has(p)) throw new KafkaError(-1, `list offsets of ${topic}-${p}`, 'the broker did not answer for this partition')
  return out
}

/** Start offsets for partitions per `spec`, clamped to the partitions' current range. */
export async function resolveStart (client: KafkaClient, topic: string, partitions: number[], spec: StartSpec, isolationLevel = READ_UNCOMMITTED): Promise<Map<number, bigint>> {
  if (spec.kind === 'beginning') return await listOffsets(client, topic, partitions, EARLIEST)
  if (spec.kind === 'end') return await listOffsets(client, topic, partitions, LATEST, isolationLevel)
  const [earliest, latest] = await Promise.all([listOffsets(client, topic, partitions, EARLIEST), listOffsets(client, topic, partitions, LATEST, isolationLevel)])
  const out = new Map<number, bigint>()
  const byTime = spec.kind === 'timestamp' ? await listOffsets(client, topic, partitions, spec.timestamp) : null
  for (const p of partitions) {
    const lo = earliest.get(p)!
    const hi = latest.get(p)!
    let o: bigint
    if (spec.kind === 'offset') o = spec.offset
    else if (spec.kind === 'fromEnd') o = hi - spec.count
    else o = byTime!.get(p)! < 0n ? hi : byTime!.get(p)!
    out.set(p, o < lo ? lo : o > hi ? hi : o)
  }
  return out
}

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: bigint
  timestamp: bigint
  timestampType: 'CreateTime' | 'LogAppendTime'
  key: Buffer | null
  value: Buffer | null
  headers: Header[]
}

export interface FetcherOptions {
  maxWaitMs?: number
  /** 0 read_uncommitted (default), 1 read_committed. */
  isolationLevel?: number
  maxBytes?: number
  partitionMaxBytes?: number
}

/**
 * Fetch positions per topic-partition and where each partition ends as the last fetch reported: the
 * high watermark, or under read_committed the last stable offset (a consumer cannot read past it).
 */
export class Fetcher {
  readonly positions = new Map<string, Map<number, bigint>>()
  readonly ends = new Map<string, Map<number, bigint>>()
  readonly isolationLevel: number

  constructor (private readonly client: KafkaClient, private readonly opts: FetcherOptions = {}) {
    this.isolationLevel = opts.isolationLevel ?? READ_UNCOMMITTED
  }

  /** Stops fetching the partitions given; returns their positions. */
  unassign (topic: string, partitions: number[]): Map<number, bigint> {
    const out = new Map<number, bigint>()
    const m = this.positions.get(topic)
    if (m === undefined) return out
    for (const p of partitions) {
      const o = m.get(p)
      if (o !== undefined) out.set(p, o)
      m.delete(p)
      this.ends.get(topic)?.delete(p)
    }
    if (m.size === 0) { this.positions.delete(topic); this.ends.delete(topic) }
    return out
  }

  assign (topic: string, offsets: Map<number, bigint>): void {
    const m = this.positions.get(topic) ?? new Map<number, bigint>()
    for (const [p, o] of offsets) m.set(p, o)
    this.positions.set(topic, m)
  }

  clear (): void {
    this.positions.clear()
    this.ends.clear()
  }

  /** True when every assigned partition's position has reached the high watermark last reported. */
  atEnd (): boolean {
    for (const [topic, ps] of this.positions) {
      for (const [p, pos] of ps) {
        const hw = this.ends.get(topic)?.get(p)
        if (hw === undefined || pos < hw) return false
      }
    }
    return true
  }

  /** Learns the high watermarks without fetching records, so an empty partition counts as at the end. */
  async refreshEnds (): Promise<void> {
    for (const [topic, ps] of this.positions) {
      const ends = await listOffsets(this.client, topic, [...ps.keys()], LATEST, this.isolationLevel)
      const m = this.ends.get(topic) ?? new Map<number, bigint>()
      for (const [p, o] of ends) m.set(p, o)
      this.ends.set(topic, m)
    }
  }

  /**
   * One round of fetches (one request per leader, concurrently); advances positions past what it returns.
   * A leader that fails keeps its partitions' positions; the round throws only when no leader answered,
   * so records fetched from the others are never dropped.
   */
  async poll (): Promise<ConsumedRecord[]> {
    const byLeader = new Map<number, Array<{ topic: string, topicId: string, partition: number, offset: bigint }>>()
    for (const [topic, ps] of this.positions) {
      const meta = await this.client.topic(topic)
      for (const [p, offset] of ps) {
        const leader = meta.partitions.get(p)?.leaderId ?? -1
        if (leader < 0) continue
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), { topic, topicId: meta.topicId, partition: p, offset }])
      }
    }
    const results = await Promise.allSettled([...byLeader].map(async ([leader, parts]) => await this.fetchFrom(leader, parts)))
    const out: ConsumedRecord[] = []
    let failure: unknown = null
    for (const r of results) {
      // not push(...r.value): one compressed fetch can hold more records than a call's argument limit
      if (r.status === 'fulfilled') for (const rec of r.value) out.push(rec)
      else failure ??= r.reason
    }
    if (failure !== null && results.every(r => r.status === 'rejected')) throw failure
    return out
  }

  private async fetchFrom (leader: number, parts: Array<{ topic: string, topicId: string, partition: number, offset: bigint }>): Promise<ConsumedRecord[]> {
    const c = await this.client.node(leader)
    c.version(API.Fetch, 'fetch')
    const byTopic = new Map<string, typeof parts>()
    for (const x of parts) byTopic.set(x.topic, [...(byTopic.get(x.topic) ?? []), x])
    const maxWaitMs = this.opts.maxWaitMs ?? 500
    const res = await c.request<FetchResponse>(API.Fetch, {
      replicaId: -1,
      maxWaitMs,
      minBytes: 1,
      maxBytes: this.opts.maxBytes ?? 52428800,
      isolationLevel: this.isolationLevel,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [...byTopic].map(([topic, ps]) => ({
        topic,
        topicId: ps[0]!.topicId,
        partitions: ps.map(x => ({ partition: x.partition, currentLeaderEpoch: -1, fetchOffset: x.offset, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: this.opts.partitionMaxBytes ?? 1048576 }))
      })),
      forgottenTopicsData: [],
      rackId: ''
    }, { timeoutMs: maxWaitMs + 30000 })
    if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `fetch from broker ${leader}`)
    const out: ConsumedRecord[] = []
    for (const t of res.responses) {
      const topic = t.topic !== '' ? t.topic : parts.find(x => x.topicId === t.topicId)?.topic
      if (topic === undefined) continue
      const positions = this.positions.get(topic)
      if (positions === undefined) continue
      for (const pd of t.partitions) {
        const p = pd.partitionIndex
        let pos = positions.get(p)
        if (pos === undefined) continue
        if (pd.errorCode === 1) {
          // OFFSET_OUT_OF_RANGE: below the log start means data was deleted; restart from the earliest.
          const [start] = [...(await listOffsets(this.client, topic, [p], EARLIEST)).values()]
          const [end] = [...(await listOffsets(this.client, topic, [p], LATEST, this.isolationLevel)).values()]
          positions.set(p, pos < start! ? start! : end!)
          continue
        }
        if (pd.errorCode !== 0) {
          const err = new KafkaError(pd.errorCode, `fetch ${topic}-${p}`)
          if (err.retriable) { await this.client.topic(topic, true); continue }
          throw err
        }
        const hw = this.ends.get(topic) ?? new Map<number, bigint>()
        hw.set(p, this.isolationLevel === READ_UNCOMMITTED || pd.lastStableOffset < 0n ? pd.highWatermark : pd.lastStableOffset)
        this.ends.set(topic, hw)
        if (pd.records === null || pd.records.length === 0) continue
        const batches = await decodeBatches(pd.records)
        for (const b of deliverableBatches(batches, this.isolationLevel, pd.abortedTransactions)) {
          for (const r of b.records) {
            if (r.offset < pos) continue
            out.push({ topic, partition: p, offset: r.offset, timestamp: r.timestamp, timestampType: b.timestampType, key: r.key, value: r.value, headers: r.headers })
          }
        }
        // Skipped batches (control, aborted) still move the position past them.
        const last = batches[batches.length - 1]
        if (last !== undefined) {
          const next = last.baseOffset + BigInt(last.lastOffsetDelta) + 1n
          if (next > pos) pos = next
        }
        positions.set(p, pos)
      }
    }
    return out
  }
}
