// Produces to one topic: keyed records go where Java's default partitioner puts them, null keys stick to
// one partition until a batch fills (Kafka's sticky partitioning), batches are flushed per leader after a
// short linger, and flushes run one at a time so each partition keeps the order records were sent in.
// As in Kafka's producer a request carries at most one batch per partition, of at most batchBytes (a
// bigger record alone), so a long queue goes out in successive requests.
import { API, sleep, type KafkaClient, type TopicMeta } from './client.js'
import { KafkaError } from './errors.js'
import { partitionForKey } from './partitioner.js'
import { encodeBatch, type Header } from '../wire/records.js'
import { CODEC_NAMES } from '../wire/compression/index.js'
import type { ProduceResponse } from '../wire/generated/produce.js'

export interface ProduceRecord {
  key?: Buffer | null
  value: Buffer | null
  headers?: Header[]
  partition?: number
  timestamp?: bigint
}

export interface ProducedRecord { partition: number, offset: bigint }

export interface ProducerOptions {
  /** 0, 1 or -1 (all). */
  acks?: number
  /** none, gzip, snappy, lz4 or zstd. */
  compression?: string
  lingerMs?: number
  batchBytes?: number
  timeoutMs?: number
}

interface Queued { record: ProduceRecord, size: number, resolve: (r: ProducedRecord) => void, reject: (e: Error) => void }

const MAX_ATTEMPTS = 5

export function compressionCodec (name: string): number | undefined {
  for (const [id, n] of Object.entries(CODEC_NAMES)) if (n === name) return Number(id)
  return undefined
}

export class Producer {
  private meta: Promise<TopicMeta> | null = null
  private readonly queues = new Map<number, Queued[]>()
  private queuedBytes = new Map<number, number>()
  private timer: NodeJS.Timeout | null = null
  private flushing: Promise<void> = Promise.resolve()
  /** Records whose partition is not chosen yet (waiting for metadata); flush waits for them. */
  private routing = 0
  private routedWaiters: Array<() => void> = []
  private flushScheduled = false
  private sticky = -1
  private stickyBytes = 0
  private readonly codec: number
  private readonly acks: number
  private readonly lingerMs: number
  private readonly batchBytes: number
  private readonly timeoutMs: number

  constructor (private readonly client: KafkaClient, readonly topic: string, opts: ProducerOptions = {}) {
    const codec = compressionCodec(opts.compression ?? 'none')
    if (codec === undefined) throw new RangeError(`unknown compression ${opts.compression}; expected one of ${Object.values(CODEC_NAMES).join(', ')}`)
    this.codec = codec
    this.acks = opts.acks ?? -1
    if (![0, 1, -1].includes(this.acks)) throw new RangeError(`acks must be 0, 1 or -1 (all), got ${this.acks}`)
    this.lingerMs = opts.lingerMs ?? 5
    this.batchBytes = opts.batchBytes ?? 16384
    this.timeoutMs = opts.timeoutMs ?? 30000
  }

  /** Queues a record; resolves once the broker has it (immediately after sending with acks=0). */
  send (record: ProduceRecord): Promise<ProducedRecord> {
    this.meta ??= this.client.topic(this.topic)
    this.routing++
    const result = this.route(record)
    const routed = (): void => {
      if (--this.routing > 0) return
      const waiters = this.routedWaiters
      this.routedWaiters = []
      for (const w of waiters) w()
    }
    result.then(routed, routed)
    return result.then(async q => await q.done)
  }

  private async allRouted (): Promise<void> {
    if (this.routing > 0) await new Promise<void>(resolve => this.routedWaiters.push(resolve))
  }

  /** One flush at a time is asked for by full batches; records queued after its snapshot ask again. */
  private scheduleFlush (): void {
    if (this.flushScheduled) return
    this.flushScheduled = true
    void this.flush()
  }

  /** Resolves (once the record is queued) to the promise of its result. */
  private async route (record: ProduceRecord): Promise<{ done: Promise<ProducedRecord> }> {
    const meta = await this.meta!
    const n = meta.partitions.size
    const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 16
    let partition: number
    if (record.partition !== undefined) {
      if (!meta.partitions.has(record.partition)) throw new KafkaError(3, `produce to ${this.topic}-${record.partition}`, `topic ${this.topic} has ${n} partitions`)
      partition = record.partition
    } else if (record.key !== undefined && record.key !== null) {
      partition = partitionForKey(record.key, n)
    } else {
      if (this.sticky < 0 || this.stickyBytes >= this.batchBytes) {
        this.sticky = n <= 1 ? 0 : (this.sticky < 0 ? Math.floor(Math.random() * n) : (this.sticky + 1 + Math.floor(Math.random() * (n - 1))) % n)
        this.stickyBytes = 0
      }
      partition = this.sticky
      this.stickyBytes += size
    }
    const done = new Promise<ProducedRecord>((resolve, reject) => {
      const q = this.queues.get(partition) ?? []
      q.push({ record, size, resolve, reject })
      this.queues.set(partition, q)
      const bytes = (this.queuedBytes.get(partition) ?? 0) + size
      this.queuedBytes.set(partition, bytes)
      if (bytes >= this.batchBytes) this.scheduleFlush()
      else this.timer ??= setTimeout(() => { void this.flush() }, this.lingerMs)
    })
    return { done }
  }

  /** Sends everything sent so far; resolves when those requests are answered. */
  async flush (): Promise<void> {
    await this.allRouted()
    this.flushScheduled = false
    if (this.timer !== null) { clearTimeout(this.timer); this.timer = null }
    const batch = new Map(this.queues)
    this.queues.clear()
    this.queuedBytes.clear()
    this.flushing = this.flushing.then(async () => await this.sendAll(batch))
    await this.flushing
  }

  private async sendAll (batch: Map<number, Queued[]>): Promise<void> {
    const rounds: Array<Map<number, Queued[]>> = []
    for (const [p, q] of batch) {
      let round = 0
      for (let i = 0; i < q.length; round++) {
        const start = i
        let bytes = q[i]!.size
        for (i++; i < q.length && bytes + q[i]!.size <= this.batchBytes; i++) bytes += q[i]!.size
        let r = rounds[round]
        if (r === undefined) { r = new Map(); rounds.push(r) }
        r.set(p, q.slice(start, i))
      }
    }
    for (const r of rounds) await this.sendRound(r)
  }

  private async sendRound (batch: Map<number, Queued[]>): Promise<void> {
    let todo = batch
    for (let attempt = 1; todo.size > 0; attempt++) {
      const retry = new Map<number, Queued[]>()
      const byLeader = new Map<number, Map<number, Queued[]>>()
      const meta = attempt === 1 ? await this.meta! : await this.client.topic(this.topic, true)
      for (const [p, q] of todo) {
        const leader = meta.partitions.get(p)?.leaderId ?? -1
        if (leader < 0) {
          if (attempt >= MAX_ATTEMPTS) fail(q, new KafkaError(5, `produce to ${this.topic}-${p}`))
          else retry.set(p, q)
          continue
        }
        const m = byLeader.get(leader) ?? new Map<number, Queued[]>()
        m.set(p, q)
        byLeader.set(leader, m)
      }
      await Promise.all([...byLeader].map(async ([leader, parts]) => {
        try {
          await this.produceTo(leader, meta, parts, retry, attempt)
        } catch (err) {
          for (const q of parts.values()) fail(q, err as Error)
        }
      }))
      todo = retry
      if (todo.size > 0) await sleep(100 * attempt)
    }
  }

  private async produceTo (leader: number, meta: TopicMeta, parts: Map<number, Queued[]>, retry: Map<number, Queued[]>, attempt: number): Promise<void> {
    const c = await this.client.node(leader)
    c.version(API.Produce, 'produce')
    const partitionData = await Promise.all([...parts].map(async ([p, q]) => ({
      index: p,
      records: await encodeBatch({ records: q.map(x => ({ key: x.record.key ?? null, value: x.record.value, headers: x.record.headers ?? [], timestamp: x.record.timestamp ?? BigInt(Date.now()) })), compression: this.codec })
    })))
    const body = { transactionalId: null, acks: this.acks, timeoutMs: this.timeoutMs, topicData: [{ name: this.topic, topicId: meta.topicId, partitionData }] }
    if (this.acks === 0) {
      c.send(API.Produce, body)
      for (const [p, q] of parts) for (const x of q) x.resolve({ partition: p, offset: -1n })
      return
    }
    const res = await c.request<ProduceResponse>(API.Produce, body, { timeoutMs: this.timeoutMs + 5000 })
    for (const [p, q] of parts) {
      const r = res.responses.flatMap(t => t.partitionResponses).find(x => x.index === p)
      if (r === undefined) { fail(q, new KafkaError(-1, `produce to ${this.topic}-${p}`, 'the broker did not answer for this partition')); continue }
      if (r.errorCode !== 0) {
        const err = new KafkaError(r.errorCode, `produce to ${this.topic}-${p}`, r.errorMessage)
        if (err.retriable && attempt < MAX_ATTEMPTS) retry.set(p, q)
        else fail(q, err)
        continue
      }
      q.forEach((x, i) => x.resolve({ partition: p, offset: r.baseOffset + BigInt(i) }))
    }
  }
}

function fail (q: Queued[], err: Error): void {
  for (const x of q) x.reject(err)
}
