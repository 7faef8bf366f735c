// A member of a KIP-848 consumer group (the "consumer" group protocol): the coordinator computes the
// assignment and hands it out through ConsumerGroupHeartbeat; the member takes what it is given, gives
// back what is taken away (after committing it) and reports what it owns, as Kafka's
// ConsumerMembershipManager does.
import { API, sleep, type KafkaClient } from './client.js'
import { ConnectionError, KafkaError, RequestTimeoutError } from './errors.js'
import type { Connection } from './connection.js'
import { commitOffsets, CoordinatorLink, fetchCommitted, type Assignment, type OffsetMap } from './group.js'
import { randomUuid } from '../wire/uuid.js'
import type { ConsumerGroupHeartbeatResponse } from '../wire/generated/consumer-group-heartbeat.js'

const E = { NOT_COORDINATOR: 16, COORDINATOR_NOT_AVAILABLE: 15, COORDINATOR_LOAD_IN_PROGRESS: 14, UNKNOWN_MEMBER_ID: 25, FENCED_MEMBER_EPOCH: 110, STALE_MEMBER_EPOCH: 113 } as const
const JOIN_EPOCH = 0
const LEAVE_EPOCH = -1
const MAX_BACKOFF_MS = 2000

export interface AssignmentChange {
  /** What this member may now own (topic names; unknown topic ids are left out until metadata knows them). */
  assignment: Assignment
  /** The member was fenced or forgotten: its partitions went to others, so nothing may be committed for them. */
  lost: boolean
}

export interface ConsumerMemberOptions {
  rebalanceTimeoutMs?: number
  /** Used until the coordinator's first answer gives its interval. */
  heartbeatIntervalMs?: number
}

/** topic id to partitions, as the heartbeat speaks. */
type IdAssignment = Map<string, number[]>

export class ConsumerGroupMember {
  /** Client-generated, as v1 requires (and v0 accepts); kept across rejoins as Kafka's consumer keeps it. */
  readonly memberId = randomUuid()
  memberEpoch = JOIN_EPOCH
  heartbeatIntervalMs: number
  /** A fatal heartbeat error, surfaced to the owner. */
  heartbeatError: Error | null = null
  /** What the member reported (or will report) as owned. */
  private owned: IdAssignment = new Map()
  private lastSent: string | null = null
  private change: AssignmentChange | null = null
  private target: IdAssignment | null = null
  private readonly link: CoordinatorLink
  private running = false
  private wake: (() => void) | null = null
  private loop: Promise<void> | null = null
  private failures = 0
  /** Heartbeat without waiting for the interval: an acknowledgement or a rejoin is due. */
  private soon = false

  constructor (private readonly client: KafkaClient, readonly groupId: string, readonly topics: string[], private readonly opts: ConsumerMemberOptions = {}) {
    this.heartbeatIntervalMs = opts.heartbeatIntervalMs ?? 5000
    this.link = new CoordinatorLink(client, groupId)
  }

  /** Joins (epoch 0) and starts heartbeating; the first answer's errors are thrown here. */
  async join (): Promise<void> {
    await this.beat(true)
    this.running = true
    this.loop = this.run()
  }

  /** The assignment change the owner has not applied yet, if any (taken once). */
  async takeChange (): Promise<AssignmentChange | null> {
    if (this.target !== null) {
      const names = await this.namesOf(this.target)
      const lost = this.change?.lost ?? false
      this.target = null
      this.change = { assignment: names, lost }
    }
    const c = this.change
    this.change = null
    return c
  }

  /** Returns a change the owner could not apply, unless a newer one has arrived since. */
  putBack (change: AssignmentChange): void {
    if (this.change === null && this.target === null) { this.change = change; return }
    // A newer assignment supersedes it; only the loss of the partitions must carry over.
    if (change.lost) this.change = { assignment: this.change?.assignment ?? new Map(), lost: true }
  }

  /** The owner now owns `assignment` (after revoking and committing what was taken): reports it at once. */
  async acknowledge (assignment: Assignment): Promise<void> {
    const owned: IdAssignment = new Map()
    for (const [topic, ps] of assignment) {
      if (ps.length === 0) continue
      owned.set((await this.client.topic(topic)).topicId, [...ps].sort((a, b) => a - b))
    }
    this.owned = owned
    this.hurry()
  }

  /** Commits as this member at its current epoch; a commit that races an epoch bump is retried. */
  async commit (offsets: OffsetMap): Promise<void> {
    // Rejoining after being fenced: the partitions are someone else's now.
    if (this.memberEpoch === JOIN_EPOCH) return
    for (let attempt = 0; ; attempt++) {
      try {
        await commitOffsets(this.client, this.groupId, offsets, this.memberEpoch, this.memberId, await this.coordinator())
        return
      } catch (err) {
        if (!(err instanceof KafkaError) || err.code !== E.STALE_MEMBER_EPOCH || attempt >= 5) throw err
        this.hurry()
        await sleep(100)
      }
    }
  }

  async committed (topics: string[]): Promise<OffsetMap> {
    return await fetchCommitted(this.client, this.groupId, topics)
  }

  /** Leaves with epoch -1 and stops heartbeating. */
  async leave (): Promise<void> {
    this.running = false
    this.wake?.()
    await this.loop?.catch(() => {})
    if (this.memberEpoch === JOIN_EPOCH && this.lastSent === null) return
    const c = await this.coordinator()
    const res = await c.request<ConsumerGroupHeartbeatResponse>(API.ConsumerGroupHeartbeat, this.request(LEAVE_EPOCH, false))
    if (res.errorCode !== 0 && res.errorCode !== E.UNKNOWN_MEMBER_ID && res.errorCode !== E.FENCED_MEMBER_EPOCH) throw new KafkaError(res.errorCode, `leave group ${this.groupId}`, res.errorMessage)
    this.memberEpoch = LEAVE_EPOCH
  }

  private async coordinator (): Promise<Connection> {
    return await this.link.get()
  }

  private async run (): Promise<void> {
    while (this.running) {
      const delay = this.soon ? 0 : this.failures === 0 ? this.heartbeatIntervalMs : Math.min(100 * 2 ** (this.failures - 1), MAX_BACKOFF_MS)
      if (delay > 0) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(() => { this.wake = null; resolve() }, delay)
          this.wake = () => { clearTimeout(timer); this.wake = null; resolve() }
        })
      }
      this.soon = false
      if (!this.running) return
      try {
        await this.beat(false)
      } catch (err) {
        this.heartbeatError = err as Error
        this.running = false
      }
    }
  }

  private request (epoch: number, full: boolean): object {
    const ownedList = [...this.owned].map(([topicId, partitions]) => ({ topicId, partitions }))
    const ownedKey = JSON.stringify(ownedList)
    const joining = epoch === JOIN_EPOCH
    const sendOwned = joining || full || ownedKey !== this.lastSent
    return {
      groupId: this.groupId,
      memberId: this.memberId,
      memberEpoch: epoch,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: joining || full ? (this.opts.rebalanceTimeoutMs ?? 300000) : -1,
      subscribedTopicNames: joining || full ? this.topics : null,
      subscribedTopicRegex: null,
      serverAssignor: null,
      topicPartitions: sendOwned ? (joining ? [] : ownedList) : null
    }
  }

  /**
   * One heartbeat. Network trouble and coordinator moves are retried with backoff by the loop; being
   * fenced or forgotten loses the partitions and rejoins at once; anything else is fatal (thrown).
   */
  private async beat (first: boolean): Promise<void> {
    let res: ConsumerGroupHeartbeatResponse
    const body = this.request(this.memberEpoch, this.failures > 0) as { topicPartitions: unknown }
    try {
      const c = await this.coordinator()
      c.version(API.ConsumerGroupHeartbeat, 'join a consumer group with the consumer protocol (KIP-848)')
      res = await c.request<ConsumerGroupHeartbeatResponse>(API.ConsumerGroupHeartbeat, body)
    } catch (err) {
      if (!first && (err instanceof ConnectionError || err instanceof RequestTimeoutError)) {
        this.link.reset()
        this.failures++
        return
      }
      throw err
    }
    if (res.errorCode === E.NOT_COORDINATOR || res.errorCode === E.COORDINATOR_NOT_AVAILABLE || res.errorCode === E.COORDINATOR_LOAD_IN_PROGRESS) {
      this.link.reset()
      this.failures++
      if (first && this.failures > 20) throw new KafkaError(res.errorCode, `join group ${this.groupId}`, res.errorMessage)
      if (first) { await sleep(Math.min(100 * 2 ** (this.failures - 1), MAX_BACKOFF_MS)); await this.beat(true) }
      return
    }
    if (res.errorCode === E.FENCED_MEMBER_EPOCH || res.errorCode === E.UNKNOWN_MEMBER_ID) {
      this.fence()
      return
    }
    if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `heartbeat in group ${this.groupId}`, res.errorMessage)
    this.failures = 0
    if (body.topicPartitions !== null) this.lastSent = JSON.stringify(body.topicPartitions)
    this.memberEpoch = res.memberEpoch
    if (res.heartbeatIntervalMs > 0) this.heartbeatIntervalMs = res.heartbeatIntervalMs
    if (res.assignment !== null) {
      const next: IdAssignment = new Map(res.assignment.topicPartitions.filter(tp => tp.partitions.length > 0).map(tp => [tp.topicId, [...tp.partitions].sort((a, b) => a - b)]))
      if (!sameAssignment(next, this.owned)) this.target = next
    }
  }

  /** Kafka's transitionToFenced: the partitions are gone (not committed), then a fresh join at epoch 0. */
  private fence (): void {
    this.change = { assignment: new Map(), lost: true }
    this.target = null
    this.owned = new Map()
    this.lastSent = null
    this.memberEpoch = JOIN_EPOCH
    this.hurry()
  }

  private hurry (): void {
    this.soon = true
    this.wake?.()
  }

  private async namesOf (a: IdAssignment): Promise<Assignment> {
    const out: Assignment = new Map()
    let refreshed = false
    for (const [id, ps] of a) {
      let name = nameOf(this.client, id)
      if (name === undefined && !refreshed) {
        await this.client.metadata(this.topics)
        refreshed = true
        name = nameOf(this.client, id)
      }
      if (name !== undefined) out.set(name, ps)
    }
    return out
  }
}

function nameOf (client: KafkaClient, topicId: string): string | undefined {
  for (const t of client.topics.values()) if (t.topicId === topicId) return t.name
  return undefined
}

export function sameAssignment (a: Map<string, number[]>, b: Map<string, number[]>): boolean {
  if (a.size !== b.size) return false
  for (const [k, ps] of a) {
    const qs = b.get(k)
    if (qs === undefined || qs.length !== ps.length) return false
    const set = new Set(qs)
    if (!ps.every(p => set.has(p))) return false
  }
  return true
}
