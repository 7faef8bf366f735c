// Incremental fetch sessions (KIP-227) as Kafka 4.x keeps them: a broker-wide cache split into 8 shards
// (each with max.incremental.fetch.session.cache.slots / 8 entries and its own range of session ids,
// new sessions placed round-robin, eviction only within a shard), sessions evictable when stale or, once
// older than the eviction time, by a newcomer that is more privileged or has more partitions.
// Sessions belong to the broker, not to a connection: a client may continue one on a new connection.
import { ZERO_UUID } from '../wire/uuid.js'

export const INVALID_SESSION_ID = 0
export const INITIAL_EPOCH = 0
export const FINAL_EPOCH = -1
/** Kafka's KafkaBroker.MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS: a constant, not a config, in 4.x. */
export const MIN_EVICTION_MS = 120_000
/** Kafka's KafkaBroker.NumFetchSessionCacheShards. */
export const SHARDS = 8
const INT32_MAX = 2147483647

/** The session epoch a client sends after `prev` (wrapping to 1; a final epoch stays final). */
export function nextEpoch (prev: number): number {
  if (prev < 0) return FINAL_EPOCH
  return prev === INT32_MAX ? 1 : prev + 1
}

/** What the session remembers of one partition: the last request parameters and the last values sent. */
export interface CachedPartition {
  /** null while a topic id is not (yet) known to the metadata. */
  topic: string | null
  readonly topicId: string
  readonly partition: number
  maxBytes: number
  fetchOffset: bigint
  currentLeaderEpoch: number
  lastFetchedEpoch: number
  /** The fetcher's log start offset (followers send theirs). */
  fetcherLogStartOffset: bigint
  /** Values last sent: a change makes the partition reported again. */
  highWatermark: bigint
  localLogStartOffset: bigint
}

export interface PartitionRequest {
  maxBytes: number
  fetchOffset: bigint
  currentLeaderEpoch: number
  lastFetchedEpoch: number
  fetcherLogStartOffset: bigint
}

/** What was last sent for a partition, as maybeUpdateResponseData looks at it. */
export interface PartitionResponse {
  errorCode: number
  highWatermark: bigint
  logStartOffset: bigint
  recordsBytes: number
  preferredReadReplica: number
  divergingEpoch: boolean
}

/** Topic id partitions are the same whatever their name; name partitions (ids zero) by name. */
export function partitionKey (topicId: string, topic: string | null, partition: number): string {
  return topicId !== ZERO_UUID ? `${topicId}:${partition}` : `${topic ?? ''}\u0000${partition}`
}

export function cachedPartition (topic: string | null, topicId: string, partition: number, req: PartitionRequest, resp?: PartitionResponse): CachedPartition {
  return {
    topic,
    topicId,
    partition,
    maxBytes: req.maxBytes,
    fetchOffset: req.fetchOffset,
    currentLeaderEpoch: req.currentLeaderEpoch,
    lastFetchedEpoch: req.lastFetchedEpoch,
    fetcherLogStartOffset: req.fetcherLogStartOffset,
    highWatermark: resp?.highWatermark ?? -1n,
    localLogStartOffset: resp?.logStartOffset ?? -1n
  }
}

/**
 * Kafka's CachedPartition.maybeUpdateResponseData: whether an incremental response must carry the
 * partition, recording what is sent when `update` (an error forgets the high watermark, so the partition
 * is reported again once the error clears). The last stable offset is not compared, as in Kafka.
 */
export function mustRespond (cp: CachedPartition, resp: PartitionResponse, update: boolean): boolean {
  let must = resp.recordsBytes > 0
  if (cp.highWatermark !== resp.highWatermark) {
    must = true
    if (update) cp.highWatermark = resp.highWatermark
  }
  if (cp.localLogStartOffset !== resp.logStartOffset) {
    must = true
    if (update) cp.localLogStartOffset = resp.logStartOffset
  }
  if (resp.preferredReadReplica !== -1) must = true
  if (resp.errorCode !== 0) {
    if (update) cp.highWatermark = -1n
    must = true
  }
  if (resp.divergingEpoch) must = true
  return must
}

export class FetchSession {
  /** The size the cache last accounted for this session; -1 while not in a cache. */
  cachedSize = -1
  lastUsedMs: number
  epoch = nextEpoch(INITIAL_EPOCH)
  /** Set at each touch, as Kafka's evictableByAll / evictableByPrivileged trees are. */
  evictableByAll = false
  evictableByPrivileged = false

  constructor (
    readonly id: number,
    readonly privileged: boolean,
    /** Map order is the session's iteration order (partitions that returned data move to the end). */
    readonly partitions: Map<string, CachedPartition>,
    readonly usesTopicIds: boolean,
    readonly creationMs: number
  ) {
    this.lastUsedMs = creationMs
  }

  get size (): number { return this.partitions.size }

  /** Applies an incremental request: new partitions are added at the end, known ones take the new parameters. */
  update (fetchData: readonly CachedPartition[], toForget: readonly string[]): { added: number, updated: number, removed: number } {
    let added = 0
    let updated = 0
    let removed = 0
    for (const p of fetchData) {
      const key = partitionKey(p.topicId, p.topic, p.partition)
      const cp = this.partitions.get(key)
      if (cp === undefined) {
        this.partitions.set(key, p)
        added++
      } else {
        cp.maxBytes = p.maxBytes
        cp.fetchOffset = p.fetchOffset
        cp.fetcherLogStartOffset = p.fetcherLogStartOffset
        cp.currentLeaderEpoch = p.currentLeaderEpoch
        cp.lastFetchedEpoch = p.lastFetchedEpoch
        updated++
      }
    }
    for (const key of toForget) if (this.partitions.delete(key)) removed++
    return { added, updated, removed }
  }

  /** Moves a partition to the end of the iteration order, so the others are read first next time. */
  moveToEnd (key: string): void {
    const cp = this.partitions.get(key)
    if (cp === undefined) return
    this.partitions.delete(key)
    this.partitions.set(key, cp)
  }
}

/** Kafka's EvictableKey order: unprivileged before privileged, then fewer partitions, then lower id. */
function evictableBefore (a: { privileged: boolean, size: number, id: number }, b: { privileged: boolean, size: number, id: number }): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1
  if (a.size !== b.size) return a.size - b.size
  return a.id - b.id
}

export class FetchSessionCacheShard {
  readonly sessions = new Map<number, FetchSession>()
  private partitionCount = 0

  constructor (
    readonly maxEntries: number,
    readonly evictionMs: number,
    readonly sessionIdRange: number,
    readonly shardNum: number
  ) {}

  get size (): number { return this.sessions.size }
  get totalPartitions (): number { return this.partitionCount }

  get (id: number): FetchSession | undefined { return this.sessions.get(id) }

  private newSessionId (): number {
    const lo = Math.max(1, this.shardNum * this.sessionIdRange)
    const hi = (this.shardNum + 1) * this.sessionIdRange
    let id: number
    do id = lo + Math.floor(Math.random() * (hi - lo))
    while (this.sessions.has(id) || id === INVALID_SESSION_ID)
    return id
  }

  /** A new session's id, or INVALID_SESSION_ID when the shard is full and nothing may be evicted. */
  maybeCreateSession (now: number, privileged: boolean, size: number, usesTopicIds: boolean, createPartitions: () => Map<string, CachedPartition>): number {
    if (this.sessions.size >= this.maxEntries && !this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID
    const session = new FetchSession(this.newSessionId(), privileged, createPartitions(), usesTopicIds, now)
    this.sessions.set(session.id, session)
    this.touch(session, now)
    return session.id
  }

  private tryEvict (privileged: boolean, size: number, now: number): boolean {
    // The shard holds at most a few hundred sessions: scanning stands in for Kafka's sorted trees.
    let lru: FetchSession | undefined
    for (const s of this.sessions.values()) {
      if (lru === undefined || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) lru = s
    }
    if (lru === undefined) return false
    if (now - lru.lastUsedMs > this.evictionMs) {
      this.remove(lru)
      return true
    }
    let candidate: FetchSession | undefined
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue
      if (candidate === undefined || evictableBefore(keyOf(s), keyOf(candidate)) < 0) candidate = s
    }
    if (candidate === undefined) return false
    if (evictableBefore({ privileged, size, id: 0 }, keyOf(candidate)) < 0) return false
    this.remove(candidate)
    return true
  }

  remove (session: FetchSession | number): FetchSession | undefined {
    const s = typeof session === 'number' ? this.sessions.get(session) : session
    if (s === undefined || this.sessions.get(s.id) !== s) return undefined
    this.sessions.delete(s.id)
    this.partitionCount -= s.cachedSize
    s.evictableByAll = false
    s.evictableByPrivileged = false
    return s
  }

  /** Marks a session used now and re-evaluates its eviction standing, as Kafka's touch does. */
  touch (session: FetchSession, now: number): void {
    session.lastUsedMs = now
    if (session.cachedSize !== -1) this.partitionCount -= session.cachedSize
    session.cachedSize = session.size
    const old = now - session.creationMs > this.evictionMs
    session.evictableByPrivileged = !session.privileged || old
    session.evictableByAll = old
    this.partitionCount += session.cachedSize
  }

  clear (): void {
    this.sessions.clear()
    this.partitionCount = 0
  }
}

function keyOf (s: FetchSession): { privileged: boolean, size: number, id: number } {
  return { privileged: s.privileged, size: s.cachedSize, id: s.id }
}

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots. */
  slots: number
  evictionMs?: number
  shards?: number
  /** The clock sessions are aged by. */
  now?: () => number
}

export class FetchSessionCache {
  readonly shards: FetchSessionCacheShard[]
  now: () => number
  private counter = 0

  constructor (o: FetchSessionCacheOptions) {
    const n = o.shards ?? SHARDS
    const range = Math.floor(INT32_MAX / n)
    this.shards = Array.from({ length: n }, (_, i) => new FetchSessionCacheShard(Math.floor(o.slots / n), o.evictionMs ?? MIN_EVICTION_MS, range, i))
    this.now = o.now ?? Date.now
  }

  private shardOf (id: number): FetchSessionCacheShard | undefined {
    if (!Number.isInteger(id) || id <= 0) return undefined
    return this.shards[Math.floor(id / this.shards[0]!.sessionIdRange)]
  }

  get (id: number): FetchSession | undefined { return this.shardOf(id)?.get(id) }

  remove (session: FetchSession | number): FetchSession | undefined {
    const id = typeof session === 'number' ? session : session.id
    return this.shardOf(id)?.remove(session)
  }

  touch (session: FetchSession): void { this.shardOf(session.id)?.touch(session, this.now()) }

  /** Places a new session on the next shard round-robin (that shard may be full: then no session). */
  maybeCreateSession (privileged: boolean, size: number, usesTopicIds: boolean, createPartitions: () => Map<string, CachedPartition>): number {
    const shard = this.shards[this.counter % this.shards.length]!
    this.counter = (this.counter + 1) % INT32_MAX
    return shard.maybeCreateSession(this.now(), privileged, size, usesTopicIds, createPartitions)
  }

  get size (): number { return this.shards.reduce((n, s) => n + s.size, 0) }
  get totalPartitions (): number { return this.shards.reduce((n, s) => n + s.totalPartitions, 0) }

  /** Drops every session (broker stop). */
  close (): void { for (const s of this.shards) s.clear() }
}
