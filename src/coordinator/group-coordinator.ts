// The classic group coordinator, with Kafka 4.x's semantics (GroupMetadataManager, OffsetMetadataManager,
// ClassicGroup): one actor on the event loop, groups persisted as GroupMetadata records and offsets as
// OffsetCommit records in the group's __consumer_offsets partition. JoinGroup and SyncGroup answers are
// parked until the rebalance step they wait for completes, times out, or the member is fenced or leaves.
//
// KIP-848 consumer groups live in `consumer` (consumer-group-coordinator.ts); group ids are one namespace,
// so the classic paths below answer for a consumer group as Kafka does for a non-classic group.
//
// In memory first, then the log: like Kafka's runtime, a state change is applied and its record appended;
// answers that acknowledge durable state (SyncGroup from the leader, OffsetCommit, a static member's
// in-place rejoin, DeleteGroups, OffsetDelete) wait for the append. Committed offsets become visible to
// OffsetFetch only once their append resolved.
import { randomUUID } from 'node:crypto'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Broker } from '../broker/broker.js'
import type { Partition } from '../broker/partition.js'
import type { Logger } from '../server/logger.js'
import { KeyedTimer, type Clock } from './clock.js'
import { CoordinatorPartitions } from './coordinator-partitions.js'
import { ClassicGroup, ClassicMember, EMPTY_BUFFER, joinError, syncError, type JoinResult, type Protocol, type SyncResult, type GroupState } from './classic-group.js'
import { groupMetadataRecord, offsetCommitRecord, decodeCoordinatorRecord, type CoordinatorRecord } from './records.js'
import { appendRecords, scanRecords, AppendFailedError } from './coordinator-log.js'
import { TxnOffsetStore } from './transaction-offsets.js'
import { ConsumerGroupCoordinator, type ConsumerGroupConfig, type MigrationPolicy } from './consumer-group-coordinator.js'
import type { ConsumerGroup } from './consumer-group.js'
import { uniformAssignor } from './assignors/uniform.js'
import { rangeAssignor } from './assignors/range.js'
import type { Assignor } from './assignors/assignor.js'

export const OFFSETS_TOPIC = '__consumer_offsets'
/** Kafka's fixed timeout for a new member's parked JoinGroup (GroupCoordinatorConfig). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000

export interface GroupCoordinatorConfig {
  offsetsTopicPartitions: number
  offsetsTopicReplicationFactor: number
  offsetsTopicSegmentBytes: number
  offsetsLoadBufferSize: number
  initialRebalanceDelayMs: number
  minSessionTimeoutMs: number
  maxSessionTimeoutMs: number
  maxSize: number
  offsetMetadataMaxBytes: number
  offsetsRetentionMs: number
  offsetsRetentionCheckIntervalMs: number
  consumer: ConsumerGroupConfig
}

const ASSIGNORS: Record<string, Assignor> = {
  uniform: uniformAssignor,
  range: rangeAssignor,
  'org.apache.kafka.coordinator.group.assignor.UniformAssignor': uniformAssignor,
  'org.apache.kafka.coordinator.group.assignor.RangeAssignor': rangeAssignor
}

/** group.consumer.assignors names Kafka's assignor classes (or their short names); unknown ones are config errors. */
export function assignorsFrom (names: string[]): Assignor[] {
  return names.map(n => {
    const a = ASSIGNORS[n.trim()]
    if (a === undefined) throw new Error(`group.consumer.assignors: unknown assignor ${n}`)
    return a
  })
}

/** Kafka's GroupCoordinatorConfig requires the value within its min and max. */
function within (c: Broker['config'], name: string, min: string, max: string): number {
  const v = c.int(name)
  if (v < c.int(min)) throw new Error(`${name} must be greater than or equal to ${min}`)
  if (v > c.int(max)) throw new Error(`${name} must be less than or equal to ${max}`)
  return v
}

export function coordinatorConfigFrom (broker: Broker): GroupCoordinatorConfig {
  const c = broker.config
  return {
    offsetsTopicPartitions: c.int('offsets.topic.num.partitions'),
    offsetsTopicReplicationFactor: c.int('offsets.topic.replication.factor'),
    offsetsTopicSegmentBytes: c.int('offsets.topic.segment.bytes'),
    offsetsLoadBufferSize: c.int('offsets.load.buffer.size'),
    initialRebalanceDelayMs: c.int('group.initial.rebalance.delay.ms'),
    minSessionTimeoutMs: c.int('group.min.session.timeout.ms'),
    maxSessionTimeoutMs: c.int('group.max.session.timeout.ms'),
    maxSize: c.int('group.max.size'),
    offsetMetadataMaxBytes: c.int('offset.metadata.max.bytes'),
    offsetsRetentionMs: c.int('offsets.retention.minutes') * 60_000,
    offsetsRetentionCheckIntervalMs: c.int('offsets.retention.check.interval.ms'),
    consumer: {
      sessionTimeoutMs: within(c, 'group.consumer.session.timeout.ms', 'group.consumer.min.session.timeout.ms', 'group.consumer.max.session.timeout.ms'),
      heartbeatIntervalMs: within(c, 'group.consumer.heartbeat.interval.ms', 'group.consumer.min.heartbeat.interval.ms', 'group.consumer.max.heartbeat.interval.ms'),
      maxSize: c.int('group.consumer.max.size'),
      assignors: assignorsFrom(c.get('group.consumer.assignors') as string[]),
      migrationPolicy: c.str('group.consumer.migration.policy') as MigrationPolicy
    }
  }
}

export interface OffsetEntry {
  offset: bigint
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
  expireTimestamp: number | null
}

export interface JoinRequest {
  groupId: string
  memberId: string
  groupInstanceId: string | null
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: Protocol[]
  clientId: string
  clientHost: string
  apiVersion: number
}

export interface SyncRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string | null
  protocolName: string | null
  assignments: { memberId: string, assignment: Buffer }[]
}

export interface CommitEntry { topic: string, partition: number, offset: bigint, leaderEpoch: number, metadata: string | null }

export interface CommitRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  /** v2–4 RetentionTimeMs; -1 means the broker's retention. */
  retentionTimeMs: bigint
  apiVersion: number
  entries: CommitEntry[]
}

export interface FetchedPartition { partitionIndex: number, committedOffset: bigint, committedLeaderEpoch: number, metadata: string, errorCode: number }
export interface FetchedTopic { name: string, partitions: FetchedPartition[] }

export interface LeaveResult { errorCode: number, members: { memberId: string, groupInstanceId: string | null, errorCode: number }[] }

export interface DescribedGroup {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  protocolType: string
  protocolData: string
  members: { memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, memberMetadata: Buffer, memberAssignment: Buffer }[]
}

export interface ListedGroup { groupId: string, protocolType: string, groupState: string, groupType: string }


/** Kafka's appendGroupMetadataErrorToResponseError: storage faults tell the client to find the coordinator again. */
function appendErrorCode (err: unknown): number {
  const code = err instanceof AppendFailedError ? err.errorCode : ErrorCode.KAFKA_STORAGE_ERROR
  switch (code) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.UNKNOWN_SERVER_ERROR
    default:
      return code
  }
}

export class GroupCoordinator {
  readonly groups = new Map<string, ClassicGroup>()
  /** group -> topic -> partition -> committed offset */
  readonly offsets = new Map<string, Map<string, Map<number, OffsetEntry>>>()
  /** Transactional offset commits waiting for their transaction's marker. */
  readonly txnOffsets = new TxnOffsetStore((key, value) => { this.replay(key, value) })
  private readonly partitions: CoordinatorPartitions
  private readonly timer: KeyedTimer
  readonly consumer: ConsumerGroupCoordinator
  private readonly inflight = new Set<Promise<unknown>>()
  private closed = false
  private readonly log: Logger

  constructor (private readonly broker: Broker, readonly config: GroupCoordinatorConfig, private readonly clock: Clock) {
    this.timer = new KeyedTimer(clock)
    this.log = broker.log.child({ component: 'group-coordinator' })
    this.partitions = new CoordinatorPartitions(broker, {
      name: OFFSETS_TOPIC,
      numPartitions: config.offsetsTopicPartitions,
      replicationFactor: config.offsetsTopicReplicationFactor,
      configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(config.offsetsTopicSegmentBytes) },
      keys: 'groups'
    }, async (p, i) => await this.loadPartition(p, i), () => this.closed, this.log)
    this.consumer = new ConsumerGroupCoordinator({
      clock,
      timer: this.timer,
      log: this.log,
      image: () => this.broker.metadata.image,
      availability: id => this.availability(id),
      write: (id, records) => this.write(id, records),
      classicGroup: id => {
        const g = this.groups.get(id)
        return g === undefined ? null : { empty: g.is('Empty'), usesConsumerProtocol: g.usesConsumerProtocol, size: g.size }
      },
      dropClassicGroup: id => {
        if (!this.groups.delete(id)) return []
        return [groupMetadataRecord(id, null)]
      },
      peekClassicGroup: id => this.groups.get(id) ?? null,
      takeClassicGroup: id => {
        const g = this.groups.get(id)
        if (g === undefined) return null
        // Kafka's convertToConsumerGroup: parked requests are told to rejoin, which they will do as classic
        // members of the consumer group.
        for (const m of g.members.values()) {
          g.completeJoin(m, joinError(m.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
          g.completeSync(m, syncError(ErrorCode.REBALANCE_IN_PROGRESS))
          this.timer.cancel(this.heartbeatKey(g, m.memberId))
        }
        for (const id of g.pendingJoinMembers) this.timer.cancel(this.heartbeatKey(g, id))
        this.timer.cancel(this.joinKey(g))
        this.timer.cancel(this.syncKey(g))
        this.groups.delete(id)
        return g
      },
      installClassicGroup: g => {
        this.groups.set(g.groupId, g)
        for (const m of g.members.values()) this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
        return this.groupRecord(g, new Map([...g.members.values()].map(m => [m.memberId, m.assignment])))
      },
      rebalanceClassicGroup: g => { if (this.live(g) && g.canRebalance()) this.prepareRebalance(g) },
      classicMaxSize: config.maxSize,
      isClosed: () => this.closed
    }, config.consumer)
  }

  // ---------------------------------------------------------------- ownership and loading

  /** Partition count of __consumer_offsets when it exists, else the configured count it will be created with. */
  numPartitions (): number { return this.partitions.numPartitions() }

  partitionFor (groupId: string): number { return this.partitions.partitionFor(groupId) }

  /** Kafka's error for a group this coordinator cannot serve right now, or null. */
  availability (groupId: string): number | null { return this.partitions.availability(groupId) }

  /** Starts loading every partition of an existing __consumer_offsets (broker start); answers LOAD_IN_PROGRESS meanwhile. */
  startLoading (): Promise<void> {
    const loading = this.partitions.startLoading()
    this.scheduleExpiry()
    return loading
  }

  /** Resolves when the partitions found at start have loaded. */
  whenLoaded (): Promise<void> { return this.partitions.whenLoaded() }

  /** Creates __consumer_offsets on first use (FindCoordinator) and loads partitions not yet loaded. */
  ensureOffsetsTopic (): Promise<void> { return this.partitions.ensureTopic() }

  /** Reads one __consumer_offsets partition back; the groups it held become servable once it is loaded. */
  private async loadPartition (p: Partition, i: number): Promise<() => void> {
    const started = this.clock.now()
    const loadedGroups = new Set<string>()
    await scanRecords(p, this.config.offsetsLoadBufferSize, (key, value) => {
      if (key === null) return
      const g = this.replay(key, value)
      if (g !== null) loadedGroups.add(g)
    }, this.txnOffsets.hooks(i))
    return () => {
      this.onLoaded(loadedGroups)
      if (loadedGroups.size > 0) this.log.info({ partition: i, groups: loadedGroups.size, ms: this.clock.now() - started }, 'loaded group metadata')
    }
  }

  /** Applies one record read back from the log; returns the group it touched. */
  private replay (key: Buffer, value: Buffer | null): string | null {
    let rec
    try {
      rec = decodeCoordinatorRecord(key, value)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'skipping undecodable __consumer_offsets record')
      return null
    }
    if (rec.type === 'other') return null
    if (rec.type.startsWith('cg-')) return this.consumer.replay(rec as Parameters<ConsumerGroupCoordinator['replay']>[0])
    if (rec.type === 'offset') {
      if (rec.value === null) {
        this.removeOffset(rec.group, rec.topic, rec.partition)
      } else {
        if (!this.groups.has(rec.group) && !this.consumer.groups.has(rec.group)) this.groups.set(rec.group, new ClassicGroup(rec.group, 'Empty'))
        this.setOffset(rec.group, rec.topic, rec.partition, {
          offset: rec.value.offset,
          leaderEpoch: rec.value.leaderEpoch,
          metadata: rec.value.metadata,
          commitTimestamp: Number(rec.value.commitTimestamp),
          expireTimestamp: rec.value.expireTimestamp === -1n ? null : Number(rec.value.expireTimestamp)
        })
      }
      return rec.group
    }
    if (rec.type !== 'group') return null
    if (rec.value === null) {
      this.groups.delete(rec.group)
      return rec.group
    }
    const v = rec.value
    // Kafka loads a group with members as Stable and one without as Empty; members then have one session
    // timeout to heartbeat before they expire and the group rebalances.
    const g = new ClassicGroup(rec.group, v.members.length > 0 ? 'Stable' : 'Empty', v.generation, v.protocolType === '' ? null : v.protocolType,
      v.currentStateTimestamp === -1n ? null : Number(v.currentStateTimestamp))
    g.protocolName = v.protocol
    for (const mm of v.members) {
      const m = new ClassicMember(mm.memberId, mm.groupInstanceId, mm.clientId, mm.clientHost,
        mm.rebalanceTimeout === -1 ? mm.sessionTimeout : mm.rebalanceTimeout, mm.sessionTimeout, v.protocolType,
        [{ name: v.protocol ?? '', metadata: mm.subscription }])
      m.assignment = mm.assignment
      g.add(m, null)
    }
    g.protocolType = v.protocolType === '' ? null : v.protocolType
    g.leaderId = v.leader
    g.subscribedTopics = g.computeSubscribedTopics()
    this.groups.set(rec.group, g)
    return rec.group
  }

  private onLoaded (groupIds: Set<string>): void {
    for (const id of groupIds) {
      this.consumer.onLoaded(id)
      const g = this.groups.get(id)
      if (g === undefined) continue
      for (const m of g.members.values()) this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
      if (g.size > this.config.maxSize) this.prepareRebalance(g)
    }
  }

  /** Stops timers, answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR, waits for pending writes. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.consumer.close()
    this.timer.cancelAll()
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) {
        g.completeJoin(m, joinError(m.memberId, ErrorCode.NOT_COORDINATOR))
        g.completeSync(m, syncError(ErrorCode.NOT_COORDINATOR))
      }
    }
    await this.partitions.whenLoaded()
    await Promise.allSettled([...this.inflight])
  }

  // ---------------------------------------------------------------- persistence

  private offsetsPartition (groupId: string): Partition | undefined {
    return this.broker.partition(OFFSETS_TOPIC, this.partitionFor(groupId))
  }

  /** Appends records to the group's partition; resolves to an error code (NONE on success). */
  private write (groupId: string, records: CoordinatorRecord[]): Promise<number> {
    const p = this.offsetsPartition(groupId)
    if (p === undefined) return Promise.resolve(ErrorCode.NOT_COORDINATOR)
    const done = appendRecords(p, records).then(() => ErrorCode.NONE, err => {
      this.log.warn({ err, group: groupId }, 'failed to write group coordinator records')
      return appendErrorCode(err)
    })
    this.inflight.add(done)
    void done.finally(() => this.inflight.delete(done))
    return done
  }

  private groupRecord (g: ClassicGroup, assignment: Map<string, Buffer> | null): CoordinatorRecord {
    return groupMetadataRecord(g.groupId, {
      protocolType: g.protocolType ?? '',
      generation: g.generationId,
      protocol: g.protocolName,
      leader: g.leaderId,
      currentStateTimestamp: BigInt(g.currentStateTimestamp ?? -1),
      members: assignment === null
        ? []
        : [...g.members.values()].map(m => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            rebalanceTimeout: m.rebalanceTimeoutMs,
            sessionTimeout: m.sessionTimeoutMs,
            subscription: m.metadata(g.protocolName),
            assignment: assignment.get(m.memberId) ?? EMPTY_BUFFER
          }))
    })
  }

  private setOffset (group: string, topic: string, partition: number, e: OffsetEntry): void {
    let byTopic = this.offsets.get(group)
    if (byTopic === undefined) this.offsets.set(group, byTopic = new Map())
    let byPartition = byTopic.get(topic)
    if (byPartition === undefined) byTopic.set(topic, byPartition = new Map())
    byPartition.set(partition, e)
  }

  private removeOffset (group: string, topic: string, partition: number): void {
    const byTopic = this.offsets.get(group)
    const byPartition = byTopic?.get(topic)
    if (byPartition === undefined) return
    byPartition.delete(partition)
    if (byPartition.size === 0) byTopic!.delete(topic)
    if (byTopic!.size === 0) this.offsets.delete(group)
  }

  // ---------------------------------------------------------------- timers

  // Length-prefixed so that no group id / member id pair can collide with another (ids may contain anything).
  private heartbeatKey (g: ClassicGroup, memberId: string): string { return `heartbeat ${g.groupId.length}:${g.groupId} ${memberId}` }
  private joinKey (g: ClassicGroup): string { return `join ${g.groupId}` }
  private syncKey (g: ClassicGroup): string { return `sync ${g.groupId}` }

  /** Timer callbacks act only if the group they were set for is still the live one. */
  private live (g: ClassicGroup): boolean { return !this.closed && this.groups.get(g.groupId) === g }

  rescheduleHeartbeat (g: ClassicGroup, m: ClassicMember, timeoutMs: number): void {
    const memberId = m.memberId
    this.timer.schedule(this.heartbeatKey(g, memberId), timeoutMs, () => { if (this.live(g)) this.expireHeartbeat(g, memberId) })
  }

  private expireHeartbeat (g: ClassicGroup, memberId: string): void {
    if (g.is('Dead')) return
    if (g.pendingJoinMembers.has(memberId)) {
      this.log.info({ group: g.groupId, memberId }, 'pending member removed after session timeout')
      g.remove(memberId)
      if (g.is('PreparingRebalance') && g.hasAllMembersJoined()) this.completeJoinPhase(g)
      return
    }
    const m = g.members.get(memberId)
    if (m === undefined || m.hasSatisfiedHeartbeat()) return
    this.log.info({ group: g.groupId, memberId }, 'member failed to heartbeat within its session timeout; removing it from the group')
    this.removeMemberAndUpdate(g, m)
  }

  private removeMemberAndUpdate (g: ClassicGroup, m: ClassicMember): void {
    g.completeJoin(m, joinError('', ErrorCode.UNKNOWN_MEMBER_ID))
    g.completeSync(m, syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    g.remove(m.memberId)
    this.timer.cancel(this.heartbeatKey(g, m.memberId))
    if (g.is('Stable') || g.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(g)
    else if (g.is('PreparingRebalance') && g.hasAllMembersJoined()) this.completeJoinPhase(g)
  }

  // ---------------------------------------------------------------- rebalance

  private maybePrepareRebalanceOrCompleteJoin (g: ClassicGroup): void {
    if (g.canRebalance()) this.prepareRebalance(g)
    else this.maybeCompleteJoinPhase(g)
  }

  /** The initial rebalance of an empty group is never cut short: its delay gives other members time to join. */
  private maybeCompleteJoinPhase (g: ClassicGroup): void {
    if (g.is('PreparingRebalance') && g.hasAllMembersJoined() && g.previousState !== 'Empty') this.completeJoinPhase(g)
  }

  prepareRebalance (g: ClassicGroup): void {
    if (g.is('CompletingRebalance')) this.resetAndPropagateAssignment(g, ErrorCode.REBALANCE_IN_PROGRESS)
    g.pendingSyncMembers.clear()
    this.timer.cancel(this.syncKey(g))
    const initial = g.is('Empty')
    if (initial) {
      const delay = this.config.initialRebalanceDelayMs
      const remaining = Math.max(g.rebalanceTimeoutMs() - delay, 0)
      this.timer.schedule(this.joinKey(g), delay, () => { if (this.live(g)) this.tryCompleteInitialRebalance(g, delay, remaining) })
    }
    g.transitionTo('PreparingRebalance', this.clock.now())
    this.log.info({ group: g.groupId, generation: g.generationId }, 'preparing to rebalance group')
    if (!initial) {
      if (g.hasAllMembersJoined()) this.completeJoinPhase(g)
      else this.timer.schedule(this.joinKey(g), g.rebalanceTimeoutMs(), () => { if (this.live(g)) this.completeJoinPhase(g) })
    }
  }

  private tryCompleteInitialRebalance (g: ClassicGroup, delayMs: number, remainingMs: number): void {
    if (g.newMemberAdded && remainingMs !== 0) {
      g.newMemberAdded = false
      const nextDelay = Math.min(this.config.initialRebalanceDelayMs, remainingMs)
      const nextRemaining = Math.max(remainingMs - delayMs, 0)
      this.timer.schedule(this.joinKey(g), nextDelay, () => { if (this.live(g)) this.tryCompleteInitialRebalance(g, nextDelay, nextRemaining) })
    } else {
      this.completeJoinPhase(g)
    }
  }

  private completeJoinPhase (g: ClassicGroup): void {
    this.timer.cancel(this.joinKey(g))
    for (const m of [...g.members.values()]) {
      if (m.awaitingJoin === null && !m.isStatic) {
        g.remove(m.memberId)
        this.timer.cancel(this.heartbeatKey(g, m.memberId))
        g.completeSync(m, syncError(ErrorCode.UNKNOWN_MEMBER_ID))
      }
    }
    if (g.is('Dead')) return
    if (!g.maybeElectNewJoinedLeader() && g.size > 0) {
      // Nobody rejoined: wait another rebalance timeout for session expiry to clear the unresponsive members.
      this.timer.schedule(this.joinKey(g), g.rebalanceTimeoutMs(), () => { if (this.live(g)) this.completeJoinPhase(g) })
      return
    }
    g.initNextGeneration(this.clock.now())
    if (g.is('Empty')) {
      this.log.info({ group: g.groupId, generation: g.generationId }, 'group is now empty')
      void this.write(g.groupId, [this.groupRecord(g, new Map())])
      return
    }
    this.log.info({ group: g.groupId, generation: g.generationId, members: g.size, protocol: g.protocolName }, 'stabilized group')
    for (const m of g.members.values()) {
      g.completeJoin(m, this.joinAnswer(g, m.memberId, g.isLeader(m.memberId) ? g.currentMembers() : []))
      this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
      m.isNew = false
      g.pendingSyncMembers.add(m.memberId)
    }
    const generation = g.generationId
    this.timer.schedule(this.syncKey(g), g.rebalanceTimeoutMs(), () => { if (this.live(g)) this.expirePendingSync(g, generation) })
  }

  private expirePendingSync (g: ClassicGroup, generation: number): void {
    if (generation !== g.generationId) return
    if (!(g.is('CompletingRebalance') || g.is('Stable')) || g.pendingSyncMembers.size === 0) return
    const pending = [...g.pendingSyncMembers]
    for (const id of pending) {
      const m = g.members.get(id)
      g.remove(id)
      this.timer.cancel(this.heartbeatKey(g, id))
      if (m !== undefined) g.completeSync(m, syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    }
    this.log.info({ group: g.groupId, members: pending }, 'removed members that did not send SyncGroup within the rebalance timeout')
    this.prepareRebalance(g)
  }

  private resetAndPropagateAssignment (g: ClassicGroup, errorCode: number): void {
    for (const m of g.members.values()) m.assignment = EMPTY_BUFFER
    this.propagateAssignment(g, errorCode)
  }

  private propagateAssignment (g: ClassicGroup, errorCode: number): void {
    const ok = errorCode === ErrorCode.NONE
    for (const m of g.members.values()) {
      const sent = g.completeSync(m, {
        errorCode,
        protocolType: ok ? g.protocolType : null,
        protocolName: ok ? g.protocolName : null,
        assignment: m.assignment
      })
      if (sent) this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
    }
  }

  // ---------------------------------------------------------------- JoinGroup

  join (req: JoinRequest): Promise<JoinResult> {
    const unavailable = this.availability(req.groupId)
    if (unavailable !== null) return Promise.resolve(joinError(req.memberId, unavailable))
    if (req.sessionTimeoutMs < this.config.minSessionTimeoutMs || req.sessionTimeoutMs > this.config.maxSessionTimeoutMs) {
      return Promise.resolve(joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT))
    }
    return new Promise(resolve => this.doJoin(req, resolve))
  }

  private doJoin (req: JoinRequest, resolve: (r: JoinResult) => void): void {
    const isUnknownMember = req.memberId === ''
    const cg = this.consumer.groups.get(req.groupId)
    if (cg !== undefined) {
      // A non-empty consumer group takes classic-protocol members (mixed groups).
      if (cg.size > 0) {
        void this.consumer.classicJoin(req).then(resolve, err => {
          this.log.error({ err, group: req.groupId }, 'classic join to consumer group failed')
          resolve(joinError(req.memberId, ErrorCode.UNKNOWN_SERVER_ERROR))
        })
        return
      }
      if (!isUnknownMember) return resolve(joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID))
      // An empty consumer group is deleted and the id starts over as a classic group.
      void this.write(req.groupId, this.consumer.tombstones(cg))
      this.consumer.groups.delete(req.groupId)
    }
    let g = this.groups.get(req.groupId)
    const isNewGroup = g === undefined
    if (g === undefined) {
      if (!isUnknownMember) return resolve(joinError(req.memberId, ErrorCode.GROUP_ID_NOT_FOUND))
      g = new ClassicGroup(req.groupId, 'Empty')
      this.groups.set(req.groupId, g)
    }
    const before = g.state
    if (!this.acceptJoiningMember(g, req.memberId)) {
      const m = g.members.get(req.memberId)
      if (m !== undefined) this.removeMemberAndUpdate(g, m)
      else g.remove(req.memberId)
      resolve(joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED))
    } else if (isUnknownMember) {
      this.joinNewMember(req, g, resolve)
    } else {
      this.joinExistingMember(req, g, resolve)
    }
    // A new group that no rebalance step recorded still gets its (empty) record, as Kafka writes one.
    if (isNewGroup && g.is('Empty') && before === 'Empty' && g.generationId === 0) void this.write(g.groupId, [this.groupRecord(g, null)])
  }

  private acceptJoiningMember (g: ClassicGroup, memberId: string): boolean {
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return true
      case 'PreparingRebalance':
        return (g.members.get(memberId)?.awaitingJoin != null) || g.numAwaitingJoin < this.config.maxSize
      default:
        return g.members.has(memberId) || g.size < this.config.maxSize
    }
  }

  private joinNewMember (req: JoinRequest, g: ClassicGroup, resolve: (r: JoinResult) => void): void {
    if (g.is('Dead')) return resolve(joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE))
    if (!g.supportsProtocols(req.protocolType, req.protocols.map(p => p.name))) return resolve(joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`
    if (req.groupInstanceId !== null) {
      const existing = g.staticMembers.get(req.groupInstanceId)
      if (existing !== undefined) return this.updateStaticMember(req, g, existing, newMemberId, resolve)
      return this.addMemberThenRebalanceOrCompleteJoin(req, g, newMemberId, resolve)
    }
    if (req.apiVersion >= 4) {
      // KIP-394: hand out the member id first, so a client that times out and retries does not leave a
      // defunct member behind.
      g.pendingJoinMembers.add(newMemberId)
      this.timer.schedule(this.heartbeatKey(g, newMemberId), req.sessionTimeoutMs, () => { if (this.live(g)) this.expireHeartbeat(g, newMemberId) })
      return resolve(joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED))
    }
    this.addMemberThenRebalanceOrCompleteJoin(req, g, newMemberId, resolve)
  }

  private joinExistingMember (req: JoinRequest, g: ClassicGroup, resolve: (r: JoinResult) => void): void {
    const memberId = req.memberId
    if (g.is('Dead')) return resolve(joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE))
    if (!g.supportsProtocols(req.protocolType, req.protocols.map(p => p.name))) return resolve(joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
    if (g.pendingJoinMembers.has(memberId)) return this.addMemberThenRebalanceOrCompleteJoin(req, g, memberId, resolve)
    const invalid = this.validateMember(g, memberId, req.groupInstanceId)
    if (invalid !== null) return resolve(joinError(memberId, invalid))
    const m = g.members.get(memberId)!
    const current = (members: JoinResult['members']): JoinResult => this.joinAnswer(g, memberId, members)
    switch (g.state) {
      case 'PreparingRebalance':
        return this.updateMemberThenRebalanceOrCompleteJoin(req, g, m, resolve)
      case 'CompletingRebalance':
        // Same metadata: probably a lost JoinGroup answer, so repeat this generation's.
        if (m.matches(req.protocols)) return resolve(current(g.isLeader(memberId) ? g.currentMembers() : []))
        return this.updateMemberThenRebalanceOrCompleteJoin(req, g, m, resolve)
      case 'Stable':
        // The leader rejoining forces a rebalance: that is how it reacts to topic metadata changes.
        if (g.isLeader(memberId) || !m.matches(req.protocols)) return this.updateMemberThenRebalanceOrCompleteJoin(req, g, m, resolve)
        return resolve(current([]))
      default:
        return resolve(joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID))
    }
  }

  /** A successful JoinGroup answer for the group's current generation. */
  private joinAnswer (g: ClassicGroup, memberId: string, members: JoinResult['members']): JoinResult {
    return { errorCode: ErrorCode.NONE, generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, leader: g.leaderId ?? '', skipAssignment: false, memberId, members }
  }

  private addMemberThenRebalanceOrCompleteJoin (req: JoinRequest, g: ClassicGroup, memberId: string, resolve: (r: JoinResult) => void): void {
    const m = new ClassicMember(memberId, req.groupInstanceId, req.clientId, req.clientHost, req.rebalanceTimeoutMs, req.sessionTimeoutMs, req.protocolType, req.protocols)
    m.isNew = true
    if (g.is('PreparingRebalance') && g.previousState === 'Empty') g.newMemberAdded = true
    g.add(m, resolve)
    // A parked JoinGroup cannot heartbeat; a new member that never comes back must not linger forever.
    this.rescheduleHeartbeat(g, m, NEW_MEMBER_JOIN_TIMEOUT_MS)
    this.maybePrepareRebalanceOrCompleteJoin(g)
  }

  private updateMemberThenRebalanceOrCompleteJoin (req: JoinRequest, g: ClassicGroup, m: ClassicMember, resolve: (r: JoinResult) => void): void {
    if (m.awaitingJoin !== null && m.awaitingJoin !== resolve) {
      // A second JoinGroup from the same member replaces the parked one, which must still be answered.
      const old = m.awaitingJoin
      g.updateMember(m, m.protocols, m.rebalanceTimeoutMs, m.sessionTimeoutMs, null)
      old(joinError(m.memberId, ErrorCode.REBALANCE_IN_PROGRESS))
    }
    g.updateMember(m, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve)
    this.maybePrepareRebalanceOrCompleteJoin(g)
  }

  /** KIP-345: a known static member rejoining with a new member id. */
  private updateStaticMember (req: JoinRequest, g: ClassicGroup, oldId: string, newId: string, resolve: (r: JoinResult) => void): void {
    const leaderBefore = g.leaderId
    const m = g.replaceStaticMember(req.groupInstanceId!, oldId, newId)
    this.timer.cancel(this.heartbeatKey(g, oldId))
    this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
    const old = { protocols: m.protocols, rebalance: m.rebalanceTimeoutMs, session: m.sessionTimeoutMs }
    g.updateMember(m, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs, resolve)
    if (g.is('Stable')) {
      if ((g.protocolName ?? '') === g.selectProtocol()) {
        // Unchanged protocol: no rebalance, the member keeps its assignment under its new id.
        const assignment = new Map([...g.members.values()].map(x => [x.memberId, x.assignment]))
        void this.write(g.groupId, [this.groupRecord(g, assignment)]).then(code => {
          if (code !== ErrorCode.NONE) {
            g.updateMember(m, old.protocols, old.rebalance, old.session, null)
            const back = g.replaceStaticMember(req.groupInstanceId!, newId, oldId)
            this.timer.cancel(this.heartbeatKey(g, newId))
            this.rescheduleHeartbeat(g, back, back.sessionTimeoutMs)
            resolve({ ...joinError('', code), generationId: g.generationId, protocolType: g.protocolType, protocolName: g.protocolName, leader: leaderBefore ?? '' })
            return
          }
          const isLeader = g.isLeader(newId)
          const skip = req.apiVersion >= 9 && isLeader
          g.completeJoin(m, { ...this.joinAnswer(g, newId, skip ? g.currentMembers() : []), leader: (req.apiVersion >= 9 ? g.leaderId : leaderBefore) ?? '', skipAssignment: skip })
        })
        return
      }
      return this.maybePrepareRebalanceOrCompleteJoin(g)
    }
    if (g.is('CompletingRebalance')) return this.prepareRebalance(g)
    this.maybeCompleteJoinPhase(g)
  }

  /** Static members are fenced by a newer member id for their instance id; others must be known. */
  private validateMember (g: ClassicGroup, memberId: string, groupInstanceId: string | null): number | null {
    if (groupInstanceId !== null) {
      const existing = g.staticMembers.get(groupInstanceId)
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    return g.members.has(memberId) ? null : ErrorCode.UNKNOWN_MEMBER_ID
  }

  // ---------------------------------------------------------------- SyncGroup

  sync (req: SyncRequest): Promise<SyncResult> {
    const unavailable = this.availability(req.groupId)
    if (unavailable !== null) return Promise.resolve(syncError(unavailable))
    const g = this.groups.get(req.groupId)
    if (g === undefined) {
      if (this.consumer.groups.has(req.groupId)) return Promise.resolve(this.consumer.classicSync(req))
      return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    }
    if (g.is('Dead')) return Promise.resolve(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE))
    const invalid = this.validateMember(g, req.memberId, req.groupInstanceId)
    if (invalid !== null) return Promise.resolve(syncError(invalid))
    if (req.generationId !== g.generationId) return Promise.resolve(syncError(ErrorCode.ILLEGAL_GENERATION))
    const inconsistent = (asked: string | null, known: string | null): boolean => asked !== null && known !== null && asked !== known
    if (inconsistent(req.protocolType, g.protocolType) || inconsistent(req.protocolName, g.protocolName)) {
      return Promise.resolve(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL))
    }
    if (g.is('Empty')) return Promise.resolve(syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    if (g.is('PreparingRebalance')) return Promise.resolve(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
    const m = g.members.get(req.memberId)!
    if (g.is('Stable')) {
      this.removePendingSync(g, req.memberId)
      return Promise.resolve({ errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: m.assignment })
    }
    return new Promise(resolve => {
      if (m.awaitingSync !== null) m.awaitingSync(syncError(ErrorCode.REBALANCE_IN_PROGRESS))
      m.awaitingSync = resolve
      this.removePendingSync(g, req.memberId)
      if (!g.isLeader(req.memberId)) return
      const assignment = new Map<string, Buffer>()
      for (const a of req.assignments) assignment.set(a.memberId, a.assignment)
      for (const id of g.members.keys()) if (!assignment.has(id)) assignment.set(id, EMPTY_BUFFER)
      const generation = g.generationId
      void this.write(g.groupId, [this.groupRecord(g, assignment)]).then(code => {
        // A member may have joined while the write was pending: then this generation is gone.
        if (!this.live(g) || !g.is('CompletingRebalance') || g.generationId !== generation) return
        if (code !== ErrorCode.NONE) {
          this.resetAndPropagateAssignment(g, code)
          this.maybePrepareRebalanceOrCompleteJoin(g)
          return
        }
        for (const x of g.members.values()) x.assignment = assignment.get(x.memberId) ?? EMPTY_BUFFER
        this.propagateAssignment(g, ErrorCode.NONE)
        g.transitionTo('Stable', this.clock.now())
      })
    })
  }

  private removePendingSync (g: ClassicGroup, memberId: string): void {
    g.pendingSyncMembers.delete(memberId)
    if (g.pendingSyncMembers.size === 0 || !(g.is('CompletingRebalance') || g.is('Stable'))) this.timer.cancel(this.syncKey(g))
  }

  // ---------------------------------------------------------------- Heartbeat, LeaveGroup

  heartbeat (groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const unavailable = this.availability(groupId)
    // Kafka answers heartbeats blindly while the group is loading.
    if (unavailable === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE
    if (unavailable !== null) return unavailable
    const g = this.groups.get(groupId)
    if (g === undefined) {
      if (this.consumer.groups.has(groupId)) return this.consumer.classicHeartbeat(groupId, memberId, groupInstanceId, generationId)
      return ErrorCode.UNKNOWN_MEMBER_ID
    }
    if (g.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    const invalid = this.validateMember(g, memberId, groupInstanceId)
    if (invalid !== null) return invalid
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION
    const m = g.members.get(memberId)!
    switch (g.state) {
      case 'PreparingRebalance':
        this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
        return ErrorCode.REBALANCE_IN_PROGRESS
      case 'CompletingRebalance':
      case 'Stable':
        this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
        return ErrorCode.NONE
      default:
        return ErrorCode.UNKNOWN_MEMBER_ID
    }
  }

  leave (groupId: string, members: { memberId: string, groupInstanceId: string | null }[]): LeaveResult {
    const unavailable = this.availability(groupId)
    if (unavailable !== null) return { errorCode: unavailable, members: [] }
    const cg = this.consumer.groups.get(groupId)
    if (cg !== undefined) return this.consumer.classicLeave(cg, members)
    const g = this.groups.get(groupId)
    if (g === undefined) return { errorCode: ErrorCode.NONE, members: members.map(x => ({ ...x, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })) }
    if (g.is('Dead')) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] }
    const out: LeaveResult['members'] = []
    let left = 0
    for (const x of members) {
      let errorCode: number = ErrorCode.NONE
      if (x.memberId === '') {
        // Admin removal by group instance id.
        const id = x.groupInstanceId === null ? undefined : g.staticMembers.get(x.groupInstanceId)
        if (id === undefined) errorCode = ErrorCode.UNKNOWN_MEMBER_ID
        else this.removeLeavingMember(g, id)
      } else if (g.pendingJoinMembers.has(x.memberId)) {
        g.remove(x.memberId)
        this.timer.cancel(this.heartbeatKey(g, x.memberId))
      } else {
        const invalid = this.validateMember(g, x.memberId, x.groupInstanceId)
        if (invalid !== null) errorCode = invalid
        else this.removeLeavingMember(g, x.memberId)
      }
      if (errorCode === ErrorCode.NONE) left++
      out.push({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, errorCode })
    }
    if (left > 0) {
      if (g.is('Stable') || g.is('CompletingRebalance')) this.maybePrepareRebalanceOrCompleteJoin(g)
      else if (g.is('PreparingRebalance')) this.maybeCompleteJoinPhase(g)
    }
    return { errorCode: ErrorCode.NONE, members: out }
  }

  private removeLeavingMember (g: ClassicGroup, memberId: string): void {
    const m = g.members.get(memberId)!
    this.timer.cancel(this.heartbeatKey(g, memberId))
    this.log.info({ group: g.groupId, memberId }, 'member left the group')
    g.completeJoin(m, joinError('', ErrorCode.UNKNOWN_MEMBER_ID))
    g.completeSync(m, syncError(ErrorCode.UNKNOWN_MEMBER_ID))
    g.remove(memberId)
  }

  // ---------------------------------------------------------------- offsets

  private validateOffsetCommit (g: ClassicGroup, req: CommitRequest): number | null {
    if (g.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
    // Generation -1 on an empty group: a simple consumer or the admin client, which need no membership.
    if (req.generationId < 0 && g.is('Empty')) return null
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const invalid = this.validateMember(g, req.memberId, req.groupInstanceId)
      if (invalid !== null) return invalid
      if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION
    } else if (!g.is('Empty')) {
      return ErrorCode.UNKNOWN_MEMBER_ID
    }
    if (g.is('CompletingRebalance')) return ErrorCode.REBALANCE_IN_PROGRESS
    return null
  }

  /** Commits offsets; resolves to one error code per entry, in order. */
  async commitOffsets (req: CommitRequest): Promise<number[]> {
    const all = (code: number): number[] => req.entries.map(() => code)
    const unavailable = this.availability(req.groupId)
    if (unavailable !== null) return all(unavailable)
    const cg = this.consumer.groups.get(req.groupId)
    if (cg !== undefined) {
      const invalid = this.consumer.validateOffsetCommit(cg, req.memberId, req.generationId, req.apiVersion)
      if (invalid !== null) return all(invalid)
      return await this.storeOffsets(req)
    }
    let g = this.groups.get(req.groupId)
    if (g === undefined) {
      if (req.generationId >= 0) return all(req.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION)
      g = new ClassicGroup(req.groupId, 'Empty')
      this.groups.set(req.groupId, g)
    }
    const invalid = this.validateOffsetCommit(g, req)
    if (invalid !== null) return all(invalid)
    const m = g.members.get(req.memberId)
    if (m !== undefined && (g.is('Stable') || g.is('PreparingRebalance'))) this.rescheduleHeartbeat(g, m, m.sessionTimeoutMs)
    const created = g
    return await this.storeOffsets(req, () => { if (this.groups.get(req.groupId) === undefined && !this.consumer.groups.has(req.groupId)) this.groups.set(req.groupId, created) })
  }

  private async storeOffsets (req: CommitRequest, onStored: () => void = () => {}): Promise<number[]> {
    const now = this.clock.now()
    const expire = req.retentionTimeMs === -1n ? null : now + Number(req.retentionTimeMs)
    const errors = req.entries.map(e => (e.metadata !== null && e.metadata.length > this.config.offsetMetadataMaxBytes) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE)
    const accepted: { e: CommitEntry, entry: OffsetEntry }[] = []
    const records: CoordinatorRecord[] = []
    req.entries.forEach((e, i) => {
      if (errors[i] !== ErrorCode.NONE) return
      const entry: OffsetEntry = { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata ?? '', commitTimestamp: now, expireTimestamp: expire }
      accepted.push({ e, entry })
      records.push(offsetCommitRecord(req.groupId, e.topic, e.partition, {
        offset: entry.offset,
        leaderEpoch: entry.leaderEpoch,
        metadata: entry.metadata,
        commitTimestamp: BigInt(now),
        expireTimestamp: expire === null ? -1n : BigInt(expire)
      }))
    })
    if (records.length === 0) return errors
    const code = await this.write(req.groupId, records)
    if (code !== ErrorCode.NONE) return errors.map(x => x === ErrorCode.NONE ? code : x)
    onStored()
    for (const { e, entry } of accepted) this.setOffset(req.groupId, e.topic, e.partition, entry)
    return errors
  }

  /** Committed offsets of the given partitions, or of every partition with one (topics null). */
  fetchOffsets (groupId: string, topics: { name: string, partitions: number[] }[] | null, member: { memberId: string | null, memberEpoch: number } | null = null): { errorCode: number, topics: FetchedTopic[] } {
    const unavailable = this.availability(groupId)
    if (unavailable !== null) return { errorCode: unavailable, topics: [] }
    // OffsetFetch v9+ names the member; a consumer group checks it (a classic group ignores it, as Kafka does).
    const cg = this.consumer.groups.get(groupId)
    if (cg !== undefined && member !== null) {
      const invalid = this.consumer.validateOffsetFetch(cg, member.memberId, member.memberEpoch)
      if (invalid !== null) return { errorCode: invalid, topics: [] }
    }
    const byTopic = this.offsets.get(groupId)
    const fetched = (partitionIndex: number, e: OffsetEntry | undefined): FetchedPartition => e === undefined
      ? { partitionIndex, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE }
      : { partitionIndex, committedOffset: e.offset, committedLeaderEpoch: e.leaderEpoch, metadata: e.metadata, errorCode: ErrorCode.NONE }
    if (topics === null) {
      const out: FetchedTopic[] = []
      for (const [name, parts] of byTopic ?? []) out.push({ name, partitions: [...parts].map(([i, e]) => fetched(i, e)) })
      return { errorCode: ErrorCode.NONE, topics: out }
    }
    return { errorCode: ErrorCode.NONE, topics: topics.map(t => ({ name: t.name, partitions: t.partitions.map(i => fetched(i, byTopic?.get(t.name)?.get(i))) })) }
  }

  /** OffsetDelete: per-partition codes, or a group-level error. */
  async deleteOffsets (groupId: string, topics: { name: string, partitions: number[] }[], topicExists: (name: string) => boolean): Promise<{ errorCode: number, topics: { name: string, partitions: { partitionIndex: number, errorCode: number }[] }[] }> {
    const unavailable = this.availability(groupId)
    if (unavailable !== null) return { errorCode: unavailable, topics: [] }
    const cg = this.consumer.groups.get(groupId)
    const classic = this.groups.get(groupId)
    const g = cg ?? classic
    if (g === undefined || (classic !== undefined && classic.is('Dead'))) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] }
    if (classic !== undefined && !classic.is('Empty') && !classic.usesConsumerProtocol) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] }
    const records: CoordinatorRecord[] = []
    const removed: [string, number][] = []
    const out = topics.map(t => ({
      name: t.name,
      partitions: t.partitions.map(partitionIndex => {
        if (!topicExists(t.name)) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        if (g.isSubscribedToTopic(t.name)) return { partitionIndex, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }
        if (this.offsets.get(groupId)?.get(t.name)?.has(partitionIndex) === true) {
          records.push(offsetCommitRecord(groupId, t.name, partitionIndex, null))
          removed.push([t.name, partitionIndex])
        }
        return { partitionIndex, errorCode: ErrorCode.NONE }
      })
    }))
    if (records.length > 0) {
      const code = await this.write(groupId, records)
      if (code !== ErrorCode.NONE) return { errorCode: code, topics: [] }
      for (const [t, p] of removed) this.removeOffset(groupId, t, p)
    }
    return { errorCode: ErrorCode.NONE, topics: out }
  }

  // ---------------------------------------------------------------- admin: list, describe, delete

  listGroups (statesFilter: string[], typesFilter: string[]): ListedGroup[] {
    const states = new Set(statesFilter.map(s => s.toLowerCase()))
    const types = new Set(typesFilter.map(s => s.toLowerCase()))
    const out: ListedGroup[] = []
    for (const g of this.groups.values()) {
      if (g.is('Dead') || !this.partitions.owns(g.groupId)) continue
      if (states.size > 0 && !states.has(g.state.toLowerCase())) continue
      if (types.size > 0 && !types.has('classic')) continue
      out.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' })
    }
    for (const g of this.consumer.groups.values()) {
      if (!this.partitions.owns(g.groupId)) continue
      const state = g.state()
      if (states.size > 0 && !states.has(state.toLowerCase())) continue
      if (types.size > 0 && !types.has('consumer')) continue
      out.push({ groupId: g.groupId, protocolType: 'consumer', groupState: state, groupType: 'consumer' })
    }
    return out
  }

  /** Whether any __consumer_offsets partition is still loading (ListGroups reports it). */
  get isLoading (): boolean { return this.partitions.isLoading }

  describeGroup (groupId: string, apiVersion: number): DescribedGroup {
    const base = { groupId, groupState: 'Dead' as GroupState | string, protocolType: '', protocolData: '', members: [], errorMessage: null }
    const unavailable = this.availability(groupId)
    if (unavailable !== null) return { ...base, groupState: '', errorCode: unavailable }
    const g = this.groups.get(groupId)
    if (g === undefined || g.is('Dead')) {
      // A consumer group is not described by this API: Kafka answers as for a missing classic group.
      const msg = this.consumer.groups.has(groupId) ? `Group ${groupId} is not a classic group.` : `Group ${groupId} not found.`
      if (apiVersion >= 6) return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: msg }
      return { ...base, errorCode: ErrorCode.NONE }
    }
    const stable = g.is('Stable')
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? g.protocolName ?? '' : '',
      members: [...g.members.values()].map(m => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? m.metadata(g.protocolName) : EMPTY_BUFFER,
        memberAssignment: stable ? m.assignment : EMPTY_BUFFER
      }))
    }
  }

  /** Deletes an empty group and its offsets (tombstones first), as DeleteGroups does. */
  async deleteGroup (groupId: string): Promise<number> {
    const unavailable = this.availability(groupId)
    if (unavailable !== null) return unavailable
    const cg = this.consumer.groups.get(groupId)
    if (cg !== undefined) return await this.deleteConsumerGroup(cg)
    const g = this.groups.get(groupId)
    if (g === undefined || g.is('Dead')) return ErrorCode.GROUP_ID_NOT_FOUND
    if (!g.is('Empty')) return ErrorCode.NON_EMPTY_GROUP
    const records: CoordinatorRecord[] = []
    for (const [topic, parts] of this.offsets.get(groupId) ?? []) for (const p of parts.keys()) records.push(offsetCommitRecord(groupId, topic, p, null))
    records.push(groupMetadataRecord(groupId, null))
    const code = await this.write(groupId, records)
    if (code !== ErrorCode.NONE) return code
    if (this.groups.get(groupId) === g && g.is('Empty')) {
      g.transitionTo('Dead', this.clock.now())
      this.groups.delete(groupId)
      this.offsets.delete(groupId)
    }
    return ErrorCode.NONE
  }

  private offsetTombstones (groupId: string): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = []
    for (const [topic, parts] of this.offsets.get(groupId) ?? []) for (const p of parts.keys()) records.push(offsetCommitRecord(groupId, topic, p, null))
    return records
  }

  private async deleteConsumerGroup (g: ConsumerGroup): Promise<number> {
    if (g.size > 0) return ErrorCode.NON_EMPTY_GROUP
    const code = await this.write(g.groupId, [...this.offsetTombstones(g.groupId), ...this.consumer.tombstones(g)])
    if (code !== ErrorCode.NONE) return code
    if (this.consumer.groups.get(g.groupId) === g && g.size === 0) {
      g.dead = true
      this.consumer.groups.delete(g.groupId)
      this.offsets.delete(g.groupId)
    }
    return ErrorCode.NONE
  }

  // ---------------------------------------------------------------- offset retention

  private scheduleExpiry (): void {
    this.timer.schedule('offsets-expiry', this.config.offsetsRetentionCheckIntervalMs, () => {
      if (this.closed) return
      this.scheduleExpiry()
      void this.expireOffsets()
    })
  }

  /**
   * Kafka's offset expiration: Empty groups expire offsets retention after they became Empty (or after the
   * commit, for records without a state timestamp); simple groups retention after each commit; Stable
   * consumer groups only offsets of topics no member subscribes to. An Empty group without offsets is
   * deleted. Returns how many offsets expired.
   */
  async expireOffsets (): Promise<number> {
    const now = this.clock.now()
    const retention = this.config.offsetsRetentionMs
    let expired = 0
    const writes: Promise<unknown>[] = []
    for (const [groupId, g] of this.groups) {
      if (this.availability(groupId) !== null) continue
      let base: ((e: OffsetEntry) => number) | null = null
      let onlyUnsubscribed = false
      if (g.protocolType === null) base = e => e.commitTimestamp
      else if (g.is('Empty')) base = e => g.currentStateTimestamp ?? e.commitTimestamp
      else if (g.usesConsumerProtocol && g.subscribedTopics !== null && g.is('Stable')) { base = e => e.commitTimestamp; onlyUnsubscribed = true }
      if (base === null) continue
      const records: CoordinatorRecord[] = []
      const gone: [string, number][] = []
      for (const [topic, parts] of this.offsets.get(groupId) ?? []) {
        if (onlyUnsubscribed && g.subscribedTopics!.has(topic)) continue
        for (const [p, e] of parts) {
          const isExpired = e.expireTimestamp !== null ? now >= e.expireTimestamp : now - base(e) >= retention
          if (isExpired) { records.push(offsetCommitRecord(groupId, topic, p, null)); gone.push([topic, p]) }
        }
      }
      for (const [t, p] of gone) this.removeOffset(groupId, t, p)
      expired += gone.length
      // Kafka deletes every Empty group left without offsets at each check (including ones that never had
      // any); a group that just handed out member ids (KIP-394) is kept for their rejoin.
      const deleteGroup = g.is('Empty') && !this.offsets.has(groupId) && g.pendingJoinMembers.size === 0
      if (deleteGroup) {
        records.push(groupMetadataRecord(groupId, null))
        g.transitionTo('Dead', now)
        this.groups.delete(groupId)
      }
      if (records.length > 0) writes.push(this.write(groupId, records))
      if (gone.length > 0) this.log.info({ group: groupId, offsets: gone.length }, 'expired committed offsets')
    }
    for (const [groupId, g] of this.consumer.groups) {
      if (this.availability(groupId) !== null) continue
      // Kafka's ConsumerGroup: offsets expire retention after their commit unless a member subscribes to
      // the topic; an empty group left without offsets is deleted.
      const records: CoordinatorRecord[] = []
      const gone: [string, number][] = []
      for (const [topic, parts] of this.offsets.get(groupId) ?? []) {
        if (g.isSubscribedToTopic(topic)) continue
        for (const [p, e] of parts) {
          const isExpired = e.expireTimestamp !== null ? now >= e.expireTimestamp : now - e.commitTimestamp >= retention
          if (isExpired) { records.push(offsetCommitRecord(groupId, topic, p, null)); gone.push([topic, p]) }
        }
      }
      for (const [t, p] of gone) this.removeOffset(groupId, t, p)
      expired += gone.length
      if (g.size === 0 && !this.offsets.has(groupId)) {
        for (const r of this.consumer.tombstones(g)) records.push(r)
        g.dead = true
        this.consumer.groups.delete(groupId)
      }
      if (records.length > 0) writes.push(this.write(groupId, records))
    }
    await Promise.all(writes)
    return expired
  }
}
