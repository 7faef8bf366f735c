// The KIP-848 consumer group protocol, as Kafka 4.x's GroupMetadataManager runs it: ConsumerGroupHeartbeat
// joins, heartbeats and leaves; every membership or subscription change (and every change of the
// subscribed topics' metadata, detected through the group's metadata hash) bumps the group epoch; the next
// heartbeat computes a new target assignment with the server-side assignor; each member then reconciles
// towards it one heartbeat at a time, revoking before others are given its partitions. State is persisted
// with Kafka's own ConsumerGroup* records in the group's __consumer_offsets partition and replayed on load.
//
// Same actor as the classic coordinator (GroupCoordinator owns this and shares its timers, log writes and
// partition loading): in memory first, then the records; a heartbeat is answered once its records are
// appended. A failed append is answered with the mapped error but the in-memory change is kept (Kafka's
// runtime reverts it from a snapshot) — the member's next full heartbeat converges again.
import { createHash } from 'node:crypto'
import { ErrorCode } from '../wire/generated/errors.js'
import { randomUuid } from '../wire/uuid.js'
import type { MetadataImage } from '../metadata/image.js'
import type { Logger } from '../server/logger.js'
import type { Clock, KeyedTimer } from './clock.js'
import {
  ConsumerGroup, GroupError, FencedError, MemberState, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH,
  cloneMember, newMember, reconcile, sameAssignment, sameCurrentAssignment, sameMetadata, partitionsOf,
  type Assignment, type ConsumerGroupMember, type EpochAssignment
} from './consumer-group.js'
import type { Assignor } from './assignors/assignor.js'
import { ClassicGroup, ClassicMember, joinError, syncError, type JoinResult, type SyncResult } from './classic-group.js'
import type { JoinRequest, SyncRequest, LeaveResult } from './group-coordinator.js'
import { decodeSubscription, decodeAssignment, encodeAssignment, subscriptionVersion } from './consumer-protocol.js'
import { DecodeError } from '../wire/decode-error.js'
import { groupConfigInt } from '../config/group-config.js'
import {
  consumerGroupMetadataRecord, consumerGroupMemberMetadataRecord, consumerGroupTargetAssignmentMetadataRecord,
  consumerGroupTargetAssignmentMemberRecord, consumerGroupCurrentMemberAssignmentRecord, consumerGroupRegularExpressionRecord,
  groupMetadataRecord, type CoordinatorRecord, type ConsumerRecord
} from './records.js'

export type MigrationPolicy = 'disabled' | 'upgrade' | 'downgrade' | 'bidirectional'

export interface ConsumerGroupConfig {
  sessionTimeoutMs: number
  heartbeatIntervalMs: number
  maxSize: number
  /** The first one is the default. */
  assignors: Assignor[]
  migrationPolicy: MigrationPolicy
}

export interface ConsumerHeartbeatRequest {
  groupId: string
  memberId: string
  memberEpoch: number
  instanceId: string | null
  rackId: string | null
  rebalanceTimeoutMs: number
  subscribedTopicNames: string[] | null
  subscribedTopicRegex: string | null
  serverAssignor: string | null
  topicPartitions: { topicId: string, partitions: number[] }[] | null
  clientId: string
  clientHost: string
  apiVersion: number
}

export interface ConsumerHeartbeatResult {
  errorCode: number
  errorMessage: string | null
  memberId: string | null
  memberEpoch: number
  heartbeatIntervalMs: number
  assignment: { topicPartitions: { topicId: string, partitions: number[] }[] } | null
}

export interface DescribedAssignment { topicPartitions: { topicId: string, topicName: string, partitions: number[] }[] }

export interface DescribedConsumerGroup {
  errorCode: number
  errorMessage: string | null
  groupId: string
  groupState: string
  groupEpoch: number
  assignmentEpoch: number
  assignorName: string
  members: {
    memberId: string
    instanceId: string | null
    rackId: string | null
    memberEpoch: number
    clientId: string
    clientHost: string
    subscribedTopicNames: string[]
    subscribedTopicRegex: string | null
    assignment: DescribedAssignment
    targetAssignment: DescribedAssignment
    memberType: number
  }[]
}

/** What the consumer-group protocol needs from the coordinator that owns it. */
export interface ConsumerGroupHost {
  readonly clock: Clock
  readonly timer: KeyedTimer
  readonly log: Logger
  image: () => MetadataImage
  availability: (groupId: string) => number | null
  write: (groupId: string, records: CoordinatorRecord[]) => Promise<number>
  /** The classic group of that id, if any: null when none, 'empty' when it can be replaced, 'busy' otherwise. */
  classicGroup: (groupId: string) => null | { empty: boolean, usesConsumerProtocol: boolean, size: number }
  /** Replaces an empty classic group: returns its tombstone records and forgets it. */
  dropClassicGroup: (groupId: string) => CoordinatorRecord[]
  /** The non-empty classic group, taken over for an online upgrade: parked requests answered, timers stopped, forgotten. */
  peekClassicGroup: (groupId: string) => ClassicGroup | null
  takeClassicGroup: (groupId: string) => ClassicGroup | null
  /** Installs a classic group made from a consumer group (online downgrade): returns its GroupMetadata record. */
  installClassicGroup: (g: ClassicGroup) => CoordinatorRecord
  /** Starts a rebalance of that classic group if it is still the live one. */
  rebalanceClassicGroup: (g: ClassicGroup) => void
  /** group.classic.max.size */
  classicMaxSize: number
  isClosed: () => boolean
}

/** Topics a regex never matches (Kafka skips internal topics when resolving). */
const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state'])

/**
 * Compiles a subscription regex. Kafka uses RE2/J with full-string matching; JS RegExp is used here anchored
 * the same way. RE2 rejects backreferences and lookarounds, which JS accepts; RE2's \C, \pN-style classes
 * without braces and (?P<name>) groups differ. Those cases are rejected or matched differently than Kafka.
 */
export function compileRegex (regex: string): RegExp | null {
  if (/\\[1-9]|\(\?<?[=!]/.test(regex)) return null
  try {
    return new RegExp(`^(?:${regex})$`, 'u')
  } catch {
    return null
  }
}

const toList = (a: Assignment | EpochAssignment): { topicId: string, partitions: number[] }[] =>
  [...a].filter(([, ps]) => ps.size > 0).map(([topicId, ps]) => ({ topicId, partitions: [...ps.keys()].sort((x, y) => x - y) }))

const toEpochList = (a: EpochAssignment): { topicId: string, partitions: number[], assignmentEpochs: number[] }[] =>
  [...a].filter(([, ps]) => ps.size > 0).map(([topicId, ps]) => {
    const sorted = [...ps].sort((x, y) => x[0] - y[0])
    return { topicId, partitions: sorted.map(([p]) => p), assignmentEpochs: sorted.map(([, e]) => e) }
  })

export class ConsumerGroupCoordinator {
  readonly groups = new Map<string, ConsumerGroup>()

  constructor (private readonly host: ConsumerGroupHost, readonly config: ConsumerGroupConfig) {}

  get defaultAssignor (): Assignor { return this.config.assignors[0]! }

  private sessionKey (groupId: string, memberId: string): string { return `cg-session ${groupId.length}:${groupId} ${memberId}` }
  private rebalanceKey (groupId: string, memberId: string): string { return `cg-rebalance ${groupId.length}:${groupId} ${memberId}` }
  private joinKey (groupId: string, memberId: string): string { return `cg-join ${groupId.length}:${groupId} ${memberId}` }
  private syncKey (groupId: string, memberId: string): string { return `cg-sync ${groupId.length}:${groupId} ${memberId}` }

  // ---------------------------------------------------------------- validation

  /** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid (checked before the coordinator is looked at). */
  validate (req: ConsumerHeartbeatRequest): GroupError | null {
    const empty = (s: string | null): boolean => s !== null && s.trim() === ''
    const invalid = (msg: string): GroupError => new GroupError(ErrorCode.INVALID_REQUEST, msg)
    if ((req.apiVersion >= 1 || req.memberEpoch > 0 || req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH) && empty(req.memberId)) return invalid("MemberId can't be empty.")
    if (empty(req.groupId)) return invalid("GroupId can't be empty.")
    if (empty(req.instanceId)) return invalid("InstanceId can't be empty.")
    if (empty(req.rackId)) return invalid("RackId can't be empty.")
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) return invalid('RebalanceTimeoutMs must be provided in first request.')
      if (req.topicPartitions === null || req.topicPartitions.length > 0) return invalid('TopicPartitions must be empty when (re-)joining.')
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) return invalid('Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.')
    } else if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      if (req.instanceId === null) return invalid("InstanceId can't be null.")
    } else if (req.memberEpoch < LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      return invalid('MemberEpoch is invalid.')
    }
    if (req.serverAssignor !== null && this.assignor(req.serverAssignor) === undefined) {
      return new GroupError(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${this.config.assignors.map(a => a.name).join(', ')}.`)
    }
    return null
  }

  private assignor (name: string): Assignor | undefined { return this.config.assignors.find(a => a.name === name) }

  // ---------------------------------------------------------------- heartbeat

  async heartbeat (req: ConsumerHeartbeatRequest): Promise<ConsumerHeartbeatResult> {
    const fail = (code: number, message: string | null): ConsumerHeartbeatResult => ({ errorCode: code, errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null })
    const bad = this.validate(req)
    if (bad !== null) return fail(bad.errorCode, bad.message)
    const unavailable = this.host.availability(req.groupId)
    if (unavailable !== null) return fail(unavailable, null)
    const records: CoordinatorRecord[] = []
    const after: (() => void)[] = []
    let result: ConsumerHeartbeatResult
    try {
      result = req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH
        ? this.leave(req, records, after)
        : this.join(req, records)
    } catch (err) {
      if (err instanceof GroupError) {
        if (records.length > 0) await this.host.write(req.groupId, records)
        return fail(err.errorCode, err.message)
      }
      throw err
    }
    if (records.length > 0) {
      const code = await this.host.write(req.groupId, records)
      if (code !== ErrorCode.NONE) return fail(code, null)
    }
    for (const f of after) f()
    return result
  }

  /** The group, or a new one that becomes real (replacing an empty classic group) only once `adopt` is called. */
  private getOrMaybeCreate (groupId: string, create: boolean, records: CoordinatorRecord[]): { g: ConsumerGroup, adopt: (records: CoordinatorRecord[]) => void } {
    const existing = this.groups.get(groupId)
    if (existing !== undefined) return { g: existing, adopt: () => {} }
    const classic = this.host.classicGroup(groupId)
    if (classic === null && !create) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`)
    if (classic !== null) {
      if (!create) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`)
      if (!classic.empty) {
        const refusal = this.upgradeRefusal(groupId, classic)
        if (refusal !== null) throw refusal
        // Kafka converts and then refuses the joining member, reverting both: nothing changes.
        if (classic.size >= this.config.maxSize) throw new GroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`)
        return { g: this.convertFromClassic(groupId, records), adopt: () => {} }
      }
    }
    const created = new ConsumerGroup(groupId)
    return {
      g: created,
      adopt: records => {
        if (classic !== null) {
          for (const r of this.host.dropClassicGroup(groupId)) records.push(r)
          this.host.log.info({ group: groupId }, 'converted the empty classic group to a consumer group')
        }
        this.groups.set(groupId, created)
      }
    }
  }

  /** Kafka's validateOnlineUpgrade, in its order and with its messages: null when the group may be converted. */
  upgradeRefusal (groupId: string, classic: { usesConsumerProtocol: boolean, size: number }): GroupError | null {
    const policy = this.config.migrationPolicy
    const why = policy !== 'upgrade' && policy !== 'bidirectional'
      ? 'online upgrade is disabled'
      : !classic.usesConsumerProtocol ? 'the group does not use the consumer embedded protocol'
          : classic.size > this.config.maxSize ? 'the group size exceeds the consumer group maximum size'
            : null
    if (why === null) return null
    this.host.log.info({ group: groupId, policy }, `cannot upgrade classic group to consumer group because ${why}`)
    return new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${groupId} to consumer group because ${why}.`)
  }

  /**
   * Kafka's convertToConsumerGroup with ConsumerGroup.fromClassicGroup: every classic member becomes a
   * classic-protocol member of a consumer group at the classic generation, stable with its last assignment
   * as both current and target. The records (GroupMetadata tombstone, then the new group's) are written by
   * the heartbeat that triggered it. Subscriptions and assignments are decoded before anything changes.
   */
  private convertFromClassic (groupId: string, records: CoordinatorRecord[]): ConsumerGroup {
    const image = this.host.image()
    const cg = this.host.peekClassicGroup(groupId)!
    const g = new ConsumerGroup(groupId)
    g.groupEpoch = cg.generationId
    g.assignmentEpoch = cg.generationId
    const members: ConsumerGroupMember[] = []
    try {
      for (const cm of cg.members.values()) {
        const sub = decodeSubscription(cm.metadata(cg.protocolName))
        const assignment = decodeAssignment(cm.assignment)
        const m = newMember(cm.memberId)
        m.memberEpoch = m.previousMemberEpoch = cg.generationId
        m.instanceId = cm.groupInstanceId
        m.rackId = sub.rackId
        m.rebalanceTimeoutMs = cm.rebalanceTimeoutMs
        m.clientId = cm.clientId
        m.clientHost = cm.clientHost
        m.subscribedTopicNames = [...new Set(sub.topics)].sort()
        for (const tp of assignment.assignedPartitions) {
          const t = image.topicsByName.get(tp.topic)
          if (t === undefined) continue
          let byP = m.assigned.get(t.id)
          if (byP === undefined) m.assigned.set(t.id, byP = new Map())
          for (const p of tp.partitions) byP.set(p, cg.generationId)
        }
        m.classic = { sessionTimeoutMs: cm.sessionTimeoutMs, protocols: cm.protocols.map(p => ({ name: p.name, metadata: p.metadata })) }
        members.push(m)
      }
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${groupId} to consumer group because the embedded consumer protocol is malformed.`)
    }
    this.host.takeClassicGroup(groupId)
    for (const m of members) {
      g.target.set(m.memberId, partitionsOf(m.assigned))
      g.putMember(m)
    }
    g.metadataHash = this.metadataHash(g)
    this.groups.set(groupId, g)
    records.push(groupMetadataRecord(groupId, null), ...this.conversionRecords(g))
    for (const m of members) this.scheduleSession(g, m.memberId)
    this.host.log.info({ group: groupId, members: members.length, epoch: g.groupEpoch }, 'converted the classic group to a consumer group (online upgrade)')
    return g
  }

  /** The records of a group just converted from a classic one, in Kafka's createConsumerGroupRecords order. */
  private conversionRecords (g: ConsumerGroup): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = []
    for (const m of g.members.values()) records.push(this.memberMetadataRecord(g.groupId, m))
    records.push(consumerGroupMetadataRecord(g.groupId, { epoch: g.groupEpoch, metadataHash: g.metadataHash }))
    for (const [id, a] of g.target) records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, id, { topicPartitions: toList(a) }))
    records.push(consumerGroupTargetAssignmentMetadataRecord(g.groupId, { assignmentEpoch: g.assignmentEpoch, assignmentTimestamp: BigInt(this.host.clock.now()) }))
    for (const m of g.members.values()) records.push(this.currentAssignmentRecord(g.groupId, m))
    return records
  }

  private join (req: ConsumerHeartbeatRequest, records: CoordinatorRecord[]): ConsumerHeartbeatResult {
    const now = this.host.clock.now()
    const create = req.memberEpoch === 0
    const { g, adopt } = this.getOrMaybeCreate(req.groupId, create, records)
    if (g.size >= this.config.maxSize && (req.memberId === '' || !g.members.has(req.memberId))) {
      throw new GroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`)
    }
    const memberId = req.memberId === '' ? randomUuid() : req.memberId
    const member = req.instanceId === null
      ? this.dynamicMember(g, memberId, req, create)
      : this.staticMember(g, memberId, req, create, records)

    const updated = cloneMember(member)
    if (req.instanceId !== null) updated.instanceId = req.instanceId
    if (req.rackId !== null) updated.rackId = req.rackId
    if (req.rebalanceTimeoutMs !== -1) updated.rebalanceTimeoutMs = req.rebalanceTimeoutMs
    if (req.serverAssignor !== null) updated.serverAssignor = req.serverAssignor
    if (req.subscribedTopicNames !== null) updated.subscribedTopicNames = [...new Set(req.subscribedTopicNames)].sort()
    if (req.subscribedTopicRegex !== null) updated.subscribedTopicRegex = req.subscribedTopicRegex
    updated.clientId = req.clientId
    updated.clientHost = req.clientHost
    if (updated.subscribedTopicRegex !== null && updated.subscribedTopicRegex !== '' && compileRegex(updated.subscribedTopicRegex) === null) {
      throw new GroupError(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${updated.subscribedTopicRegex}\` is not a valid regular expression.`)
    }
    adopt(records)
    const reconciled = this.applyMember(g, member, updated, req.topicPartitions, records, now)
    this.scheduleRebalanceTimeout(g, reconciled)
    this.scheduleSession(g, memberId)

    const full = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null)
    const changed = !sameAssignment(partitionsOf(member.assigned), partitionsOf(reconciled.assigned))
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: groupConfigInt(this.host.image(), g.groupId, 'consumer.heartbeat.interval.ms', this.config.heartbeatIntervalMs),
      assignment: full || changed ? { topicPartitions: toList(reconciled.assigned) } : null
    }
  }

  /**
   * Stores a member's new metadata, bumps the group epoch when its subscription (or the subscribed topics'
   * metadata) changed, computes a new target assignment when one is due, and reconciles the member one step.
   */
  private applyMember (g: ConsumerGroup, member: ConsumerGroupMember, updated: ConsumerGroupMember, owned: ConsumerHeartbeatRequest['topicPartitions'], records: CoordinatorRecord[], now: number): ConsumerGroupMember {
    let bump = g.groupEpoch === 0
    if (!sameMetadata(member, updated) || !g.members.has(updated.memberId)) {
      records.push(this.memberMetadataRecord(g.groupId, updated))
      if (member.subscribedTopicRegex !== updated.subscribedTopicRegex || member.subscribedTopicNames.join('\0') !== updated.subscribedTopicNames.join('\0')) bump = true
    }
    g.putMember(updated)
    if (this.refreshRegexes(g, records, now)) bump = true
    const hash = this.metadataHash(g)
    if (hash !== g.metadataHash) bump = true
    if (bump) {
      g.groupEpoch++
      g.metadataHash = hash
      records.push(consumerGroupMetadataRecord(g.groupId, { epoch: g.groupEpoch, metadataHash: hash }))
      this.host.log.info({ group: g.groupId, epoch: g.groupEpoch }, 'bumped consumer group epoch')
    }
    if (g.groupEpoch > g.assignmentEpoch) this.updateTargetAssignment(g, records, now)
    const reconciled = reconcile(g, updated, g.assignmentEpoch, g.target.get(updated.memberId) ?? new Map(), this.subscribedTopicIds(g, updated), owned)
    if (!sameCurrentAssignment(updated, reconciled)) {
      records.push(this.currentAssignmentRecord(g.groupId, reconciled))
      g.putMember(reconciled)
    }
    return reconciled
  }

  private checkEpoch (m: ConsumerGroupMember, received: number, owned: ConsumerHeartbeatRequest['topicPartitions']): void {
    if (received > m.memberEpoch) {
      throw new FencedError(`The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`)
    }
    if (received < m.memberEpoch) {
      // The previous epoch with a subset of the current partitions: the answer carrying the bump was lost.
      const subset = owned !== null && owned.every(tp => tp.partitions.every(p => m.assigned.get(tp.topicId)?.has(p) === true))
      if (received !== m.previousMemberEpoch || !subset) {
        throw new FencedError(`The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`)
      }
    }
  }

  private dynamicMember (g: ConsumerGroup, memberId: string, req: ConsumerHeartbeatRequest, create: boolean): ConsumerGroupMember {
    const m = g.members.get(memberId)
    if (m === undefined) {
      if (!create) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${g.groupId}.`)
      this.host.log.info({ group: g.groupId, memberId }, 'member joins the consumer group using the consumer protocol')
      return newMember(memberId)
    }
    this.checkEpoch(m, req.memberEpoch, req.topicPartitions)
    return m
  }

  private staticMember (g: ConsumerGroup, memberId: string, req: ConsumerHeartbeatRequest, create: boolean, records: CoordinatorRecord[]): ConsumerGroupMember {
    const instanceId = req.instanceId!
    const existing = g.staticMember(instanceId)
    if (create) {
      if (existing === undefined) {
        const m = g.members.get(memberId)
        if (m !== undefined) { this.checkEpoch(m, req.memberEpoch, req.topicPartitions); return m }
        return newMember(memberId)
      }
      if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
        throw new GroupError(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by ${existing.memberId} member.`)
      }
      return this.replaceStatic(g, existing, memberId, records)
    }
    if (existing === undefined) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`)
    if (existing.memberId !== memberId) throw new GroupError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`)
    this.checkEpoch(existing, req.memberEpoch, req.topicPartitions)
    return existing
  }

  /** The instance comes back under a new member id: it takes over the previous member's assignment. */
  private replaceStatic (g: ConsumerGroup, existing: ConsumerGroupMember, memberId: string, records: CoordinatorRecord[]): ConsumerGroupMember {
    const m = cloneMember(existing, memberId)
    m.memberEpoch = 0
    m.previousMemberEpoch = 0
    const target = g.target.get(existing.memberId) ?? new Map()
    this.removeMemberRecords(g, existing.memberId, records)
    g.removeMember(existing.memberId)
    g.target.delete(existing.memberId)
    this.cancelTimers(g.groupId, existing.memberId)
    g.target.set(memberId, target)
    records.push(this.memberMetadataRecord(g.groupId, m))
    records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, memberId, { topicPartitions: toList(target) }))
    records.push(this.currentAssignmentRecord(g.groupId, m))
    g.putMember(m)
    return m
  }

  private leave (req: ConsumerHeartbeatRequest, records: CoordinatorRecord[], after: (() => void)[]): ConsumerHeartbeatResult {
    const g = this.groups.get(req.groupId)
    if (g === undefined) {
      if (this.host.classicGroup(req.groupId) !== null) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${req.groupId} is not a consumer group.`)
      throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${req.groupId} not found.`)
    }
    let m: ConsumerGroupMember | undefined
    if (req.instanceId === null) {
      m = g.members.get(req.memberId)
      if (m === undefined) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${req.memberId} is not a member of group ${g.groupId}.`)
    } else {
      m = g.staticMember(req.instanceId)
      if (m === undefined) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`)
      if (m.memberId !== req.memberId) throw new GroupError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.instanceId} was fenced by member ${m.memberId}.`)
    }
    const done = (epoch: number): ConsumerHeartbeatResult => ({ errorCode: ErrorCode.NONE, errorMessage: null, memberId: req.memberId, memberEpoch: epoch, heartbeatIntervalMs: 0, assignment: null })
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      // A static member that will come back keeps its partitions for one session timeout.
      this.host.log.info({ group: g.groupId, memberId: m.memberId, instanceId: m.instanceId }, 'static member temporarily left the consumer group')
      const left = cloneMember(m)
      left.memberEpoch = LEAVE_GROUP_STATIC_MEMBER_EPOCH
      left.pendingRevocation = new Map()
      records.push(this.currentAssignmentRecord(g.groupId, left))
      g.putMember(left)
      this.host.timer.cancel(this.rebalanceKey(g.groupId, m.memberId))
      return done(LEAVE_GROUP_STATIC_MEMBER_EPOCH)
    }
    this.host.log.info({ group: g.groupId, memberId: m.memberId }, 'member left the consumer group')
    const classic = this.fenceOrDowngrade(g, [m.memberId], records)
    if (classic !== null) after.push(() => this.host.rebalanceClassicGroup(classic))
    return done(LEAVE_GROUP_MEMBER_EPOCH)
  }

  // ---------------------------------------------------------------- membership changes

  private removeMemberRecords (g: ConsumerGroup, memberId: string, records: CoordinatorRecord[]): void {
    records.push(consumerGroupCurrentMemberAssignmentRecord(g.groupId, memberId, null))
    records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, memberId, null))
    records.push(consumerGroupMemberMetadataRecord(g.groupId, memberId, null))
  }

  /** Removes members and bumps the group epoch once so the others get their partitions. */
  private fence (g: ConsumerGroup, memberIds: string[], records: CoordinatorRecord[]): void {
    for (const memberId of memberIds) {
      this.removeMemberRecords(g, memberId, records)
      g.removeMember(memberId)
      g.target.delete(memberId)
      this.cancelTimers(g.groupId, memberId)
    }
    for (const regex of [...g.regexes.keys()]) {
      if (!g.usedRegexes().has(regex)) {
        g.regexes.delete(regex)
        records.push(consumerGroupRegularExpressionRecord(g.groupId, regex, null))
      }
    }
    g.groupEpoch++
    g.metadataHash = this.metadataHash(g)
    records.push(consumerGroupMetadataRecord(g.groupId, { epoch: g.groupEpoch, metadataHash: g.metadataHash }))
  }

  /**
   * Kafka's consumerGroupFenceMembers with validateOnlineDowngradeWithFencedMembers: when only classic
   * members would remain and the policy allows it, the group goes back to being a classic group (returned,
   * to be rebalanced once the records are written); otherwise the members are fenced.
   */
  private fenceOrDowngrade (g: ConsumerGroup, memberIds: string[], records: CoordinatorRecord[]): ClassicGroup | null {
    const leaving = new Set(memberIds)
    if (this.downgradable(g, leaving)) return this.convertToClassic(g, leaving, records)
    this.fence(g, memberIds, records)
    return null
  }

  /** Kafka's validateOnlineDowngradeWithFencedMembers. */
  private downgradable (g: ConsumerGroup, leaving: Set<string>): boolean {
    const remaining = [...g.members.values()].filter(m => !leaving.has(m.memberId))
    if (remaining.some(m => m.classic === null)) return false
    const why = remaining.length === 0
      ? 'the group is empty'
      : this.config.migrationPolicy !== 'downgrade' && this.config.migrationPolicy !== 'bidirectional'
        ? 'online downgrade is disabled'
        : remaining.length > this.host.classicMaxSize ? 'the consumer group size exceeds the classic group maximum size' : null
    if (why !== null) {
      if (remaining.length > 0) this.host.log.info({ group: g.groupId }, `cannot downgrade consumer group to classic group because ${why}`)
      return false
    }
    return true
  }

  /**
   * Kafka's convertToClassicGroup with ClassicGroup.fromConsumerGroup: the remaining (classic) members form
   * a Stable classic group at the group epoch, each holding its target assignment; the consumer group's
   * records are tombstoned and the classic group's written after them.
   */
  private convertToClassic (g: ConsumerGroup, leaving: Set<string>, records: CoordinatorRecord[]): ClassicGroup {
    const image = this.host.image()
    const now = this.host.clock.now()
    for (const r of this.tombstones(g)) records.push(r)
    for (const id of g.members.keys()) this.cancelTimers(g.groupId, id)
    this.groups.delete(g.groupId)
    const cg = new ClassicGroup(g.groupId, 'Stable', g.groupEpoch, 'consumer', now)
    for (const m of g.members.values()) {
      if (leaving.has(m.memberId)) continue
      cg.add(new ClassicMember(m.memberId, m.instanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.classic!.sessionTimeoutMs, 'consumer', m.classic!.protocols), null)
    }
    cg.protocolName = cg.selectProtocol()
    cg.subscribedTopics = cg.computeSubscribedTopics()
    for (const cm of cg.members.values()) {
      const target = g.target.get(cm.memberId) ?? new Map<string, Set<number>>()
      const topics = [...target].filter(([, ps]) => ps.size > 0).map(([id, ps]) => ({ topic: image.topicsById.get(id)?.name ?? '', partitions: [...ps].sort((a, b) => a - b) })).filter(tp => tp.topic !== '')
      cm.assignment = encodeAssignment(topics, subscriptionVersion(cm.metadata(cg.protocolName)))
    }
    records.push(this.host.installClassicGroup(cg))
    this.host.log.info({ group: g.groupId, members: cg.size, generation: cg.generationId }, 'converted the consumer group to a classic group (online downgrade)')
    return cg
  }

  /** Fences a member outside any request (session or rebalance timeout, admin removal) and writes it. */
  private async fenceAndWrite (g: ConsumerGroup, memberId: string, why: string): Promise<number> {
    this.host.log.info({ group: g.groupId, memberId }, why)
    const records: CoordinatorRecord[] = []
    const classic = this.fenceOrDowngrade(g, [memberId], records)
    const code = await this.host.write(g.groupId, records)
    if (code === ErrorCode.NONE && classic !== null) this.host.rebalanceClassicGroup(classic)
    return code
  }

  private cancelTimers (groupId: string, memberId: string): void {
    this.host.timer.cancel(this.sessionKey(groupId, memberId))
    this.host.timer.cancel(this.rebalanceKey(groupId, memberId))
    this.host.timer.cancel(this.joinKey(groupId, memberId))
    this.host.timer.cancel(this.syncKey(groupId, memberId))
  }

  private live (g: ConsumerGroup): boolean { return !this.host.isClosed() && this.groups.get(g.groupId) === g }

  /** A classic-protocol member keeps the session timeout it joined with; others take the group's config (KIP-848 group configs) or the broker's. */
  scheduleSession (g: ConsumerGroup, memberId: string): void {
    const timeout = g.members.get(memberId)?.classic?.sessionTimeoutMs ?? groupConfigInt(this.host.image(), g.groupId, 'consumer.session.timeout.ms', this.config.sessionTimeoutMs)
    this.host.timer.schedule(this.sessionKey(g.groupId, memberId), timeout, () => {
      if (!this.live(g) || !g.members.has(memberId)) return
      void this.fenceAndWrite(g, memberId, 'consumer group member failed to heartbeat within its session timeout; removing it')
    })
  }

  /** A member asked to revoke partitions has its rebalance timeout to do so, or is fenced. */
  private scheduleRebalanceTimeout (g: ConsumerGroup, m: ConsumerGroupMember): void {
    const key = this.rebalanceKey(g.groupId, m.memberId)
    if (m.state !== MemberState.UNREVOKED_PARTITIONS) {
      this.host.timer.cancel(key)
      return
    }
    if (this.host.timer.has(key)) return
    const epoch = m.memberEpoch
    this.host.timer.schedule(key, Math.max(0, m.rebalanceTimeoutMs), () => {
      const cur = g.members.get(m.memberId)
      if (!this.live(g) || cur === undefined || cur.memberEpoch !== epoch || cur.state !== MemberState.UNREVOKED_PARTITIONS) return
      void this.fenceAndWrite(g, m.memberId, 'consumer group member failed to revoke partitions within its rebalance timeout; removing it')
    })
  }

  // ---------------------------------------------------------------- subscriptions and assignment

  private topicIdsOf (names: Iterable<string>): Set<string> {
    const image = this.host.image()
    const out = new Set<string>()
    for (const n of names) {
      const t = image.topicsByName.get(n)
      if (t !== undefined) out.add(t.id)
    }
    return out
  }

  private subscribedTopicIds (g: ConsumerGroup, m: ConsumerGroupMember): Set<string> {
    return this.topicIdsOf(g.memberTopics(m))
  }

  /**
   * Stands in for Kafka's KIP-1101 metadata hash: any change of a subscribed topic's id or partition count
   * changes it. The value is samsa's own (SHA-256 based), not Kafka's XXH3 one: it is only compared with
   * what this coordinator computed, and a mismatch after a log written elsewhere costs one rebalance.
   */
  metadataHash (g: ConsumerGroup): bigint {
    const image = this.host.image()
    const parts: string[] = []
    for (const name of [...g.subscribedTopicNames()].sort()) {
      const t = image.topicsByName.get(name)
      if (t !== undefined) parts.push(`${name}\0${t.id}\0${t.partitions.length}`)
    }
    if (parts.length === 0) return 0n
    return createHash('sha256').update(parts.join('\n')).digest().readBigInt64BE(0)
  }

  /**
   * Resolves regexes no member used before and re-resolves the others when the metadata image moved on
   * (version = the image's last offset, as Kafka records it). Returns whether any resolution changed.
   */
  private refreshRegexes (g: ConsumerGroup, records: CoordinatorRecord[], now: number): boolean {
    const image = this.host.image()
    const version = BigInt(image.lastOffset)
    let changed = false
    const used = g.usedRegexes()
    for (const regex of used) {
      const prev = g.regexes.get(regex)
      if (prev !== undefined && prev.version === version) continue
      const re = compileRegex(regex)
      if (re === null) continue
      const topics = new Set([...image.topicsByName.keys()].filter(n => !INTERNAL_TOPICS.has(n) && re.test(n)))
      const same = prev !== undefined && prev.topics.size === topics.size && [...topics].every(t => prev.topics.has(t))
      g.regexes.set(regex, { topics, version, timestamp: BigInt(now) })
      // Re-resolving to the same topics is not worth a record: a reload simply resolves once more.
      if (!same) {
        records.push(consumerGroupRegularExpressionRecord(g.groupId, regex, { topics: [...topics].sort(), version, timestamp: BigInt(now) }))
        changed = true
      }
    }
    for (const regex of [...g.regexes.keys()]) {
      if (!used.has(regex)) {
        g.regexes.delete(regex)
        records.push(consumerGroupRegularExpressionRecord(g.groupId, regex, null))
        changed = true
      }
    }
    return changed
  }

  /** Kafka's computePreferredServerAssignor: the assignor most members asked for, else the default. */
  preferredAssignor (g: ConsumerGroup): Assignor {
    const votes = new Map<string, number>()
    for (const m of g.members.values()) if (m.serverAssignor !== null) votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1)
    let best: string | null = null
    let n = 0
    for (const [name, c] of votes) if (c > n) { best = name; n = c }
    return (best === null ? undefined : this.assignor(best)) ?? this.defaultAssignor
  }

  private updateTargetAssignment (g: ConsumerGroup, records: CoordinatorRecord[], now: number): void {
    const image = this.host.image()
    const topics = new Map<string, number>()
    const members = new Map<string, { topics: Set<string>, rackId: string | null, current: Assignment }>()
    for (const m of [...g.members.values()].sort((a, b) => a.memberId < b.memberId ? -1 : 1)) {
      const ids = this.subscribedTopicIds(g, m)
      for (const id of ids) topics.set(id, image.topicsById.get(id)!.partitions.length)
      members.set(m.memberId, { topics: ids, rackId: m.rackId, current: g.target.get(m.memberId) ?? new Map() })
    }
    const result = this.preferredAssignor(g).assign({ members, topics })
    for (const [memberId, a] of result) {
      const prev = g.target.get(memberId)
      if (prev === undefined || !sameAssignment(prev, a)) records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, memberId, { topicPartitions: toList(a) }))
      g.target.set(memberId, a)
    }
    g.assignmentEpoch = g.groupEpoch
    records.push(consumerGroupTargetAssignmentMetadataRecord(g.groupId, { assignmentEpoch: g.assignmentEpoch, assignmentTimestamp: BigInt(now) }))
    this.host.log.info({ group: g.groupId, epoch: g.assignmentEpoch, members: result.size }, 'computed new target assignment')
  }

  private memberMetadataRecord (groupId: string, m: ConsumerGroupMember): CoordinatorRecord {
    return consumerGroupMemberMetadataRecord(groupId, m.memberId, {
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      serverAssignor: m.serverAssignor,
      classicMemberMetadata: m.classic === null ? null : { sessionTimeoutMs: m.classic.sessionTimeoutMs, supportedProtocols: m.classic.protocols }
    })
  }

  private currentAssignmentRecord (groupId: string, m: ConsumerGroupMember): CoordinatorRecord {
    return consumerGroupCurrentMemberAssignmentRecord(groupId, m.memberId, {
      memberEpoch: m.memberEpoch,
      previousMemberEpoch: m.previousMemberEpoch,
      state: m.state,
      assignedPartitions: toEpochList(m.assigned),
      partitionsPendingRevocation: toEpochList(m.pendingRevocation)
    })
  }

  // ---------------------------------------------------------------- loading

  /** Applies one consumer-group record read back from the log; returns the group it touched. */
  replay (rec: ConsumerRecord): string {
    const id = rec.group
    let g = this.groups.get(id)
    const ensure = (): ConsumerGroup => {
      if (g === undefined) {
        g = new ConsumerGroup(id)
        this.groups.set(id, g)
        // An earlier (empty) classic group of that id was replaced by this consumer group.
        this.host.dropClassicGroup(id)
      }
      return g
    }
    const member = (memberId: string): ConsumerGroupMember => ensure().members.get(memberId) ?? newMember(memberId)
    switch (rec.type) {
      case 'cg-metadata':
        if (rec.value === null) { this.groups.delete(id); break }
        ensure().groupEpoch = rec.value.epoch
        g!.metadataHash = rec.value.metadataHash
        break
      case 'cg-member': {
        if (rec.value === null) { g?.removeMember(rec.memberId); break }
        const m = cloneMember(member(rec.memberId))
        const v = rec.value
        Object.assign(m, { instanceId: v.instanceId, rackId: v.rackId, clientId: v.clientId, clientHost: v.clientHost, subscribedTopicNames: [...v.subscribedTopicNames], subscribedTopicRegex: v.subscribedTopicRegex, rebalanceTimeoutMs: v.rebalanceTimeoutMs, serverAssignor: v.serverAssignor, classic: v.classicMemberMetadata === null ? null : { sessionTimeoutMs: v.classicMemberMetadata.sessionTimeoutMs, protocols: v.classicMemberMetadata.supportedProtocols.map(p => ({ name: p.name, metadata: p.metadata })) } })
        g!.putMember(m)
        break
      }
      case 'cg-target-metadata':
        if (rec.value !== null) ensure().assignmentEpoch = rec.value.assignmentEpoch
        break
      case 'cg-target-member':
        if (rec.value === null) { g?.target.delete(rec.memberId); break }
        ensure().target.set(rec.memberId, new Map(rec.value.topicPartitions.map(tp => [tp.topicId, new Set(tp.partitions)])))
        break
      case 'cg-current': {
        if (g === undefined && rec.value === null) break
        const m = cloneMember(member(rec.memberId))
        const epochs = (list: { topicId: string, partitions: number[], assignmentEpochs: number[] | null }[], fallback: number): EpochAssignment =>
          new Map(list.map(tp => [tp.topicId, new Map(tp.partitions.map((p, i) => [p, tp.assignmentEpochs?.[i] ?? fallback]))]))
        if (rec.value === null) {
          Object.assign(m, { memberEpoch: 0, previousMemberEpoch: 0, state: MemberState.STABLE, assigned: new Map(), pendingRevocation: new Map() })
        } else {
          const v = rec.value
          Object.assign(m, { memberEpoch: v.memberEpoch, previousMemberEpoch: v.previousMemberEpoch, state: v.state, assigned: epochs(v.assignedPartitions, v.memberEpoch), pendingRevocation: epochs(v.partitionsPendingRevocation, v.memberEpoch) })
        }
        // A tombstone for a member whose metadata is already gone must not resurrect it.
        if (g!.members.has(rec.memberId) || rec.value !== null) g!.putMember(m)
        break
      }
      case 'cg-regex':
        if (rec.value === null) { g?.regexes.delete(rec.regex); break }
        ensure().regexes.set(rec.regex, { topics: new Set(rec.value.topics), version: rec.value.version, timestamp: rec.value.timestamp })
        break
    }
    return id
  }

  /** After a partition loaded: every member gets one session timeout to heartbeat, revoking ones their rebalance timeout. */
  onLoaded (groupId: string): void {
    const g = this.groups.get(groupId)
    if (g === undefined) return
    for (const m of g.members.values()) {
      this.scheduleSession(g, m.memberId)
      this.scheduleRebalanceTimeout(g, m)
    }
  }

  close (): void {
    for (const g of this.groups.values()) for (const id of g.members.keys()) this.cancelTimers(g.groupId, id)
  }

  // ---------------------------------------------------------------- offsets

  /** Kafka's ConsumerGroup.validateOffsetCommit: null when accepted, else the error code. */
  validateOffsetCommit (g: ConsumerGroup, memberId: string, memberEpoch: number, apiVersion: number): number | null {
    if (memberEpoch < 0 && g.size === 0) return null
    const m = g.members.get(memberId)
    if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    // A classic-protocol member commits with its generation, which is its member epoch.
    if (m.classic !== null) return memberEpoch !== m.memberEpoch ? ErrorCode.ILLEGAL_GENERATION : null
    if (apiVersion < 9) return ErrorCode.UNSUPPORTED_VERSION
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH
    return null
  }

  /** Kafka's ConsumerGroup.validateOffsetFetch (OffsetFetch v9+ carries member id and epoch). */
  validateOffsetFetch (g: ConsumerGroup, memberId: string | null, memberEpoch: number): number | null {
    if (memberId === null && memberEpoch < 0) return null
    const m = memberId === null ? undefined : g.members.get(memberId)
    if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (memberEpoch !== m.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH
    return null
  }

  // ---------------------------------------------------------------- admin

  /** The records that delete an empty group (Kafka's createGroupTombstoneRecords). */
  tombstones (g: ConsumerGroup): CoordinatorRecord[] {
    const records: CoordinatorRecord[] = []
    for (const id of g.members.keys()) records.push(consumerGroupCurrentMemberAssignmentRecord(g.groupId, id, null))
    for (const id of g.target.keys()) records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, id, null))
    records.push(consumerGroupTargetAssignmentMetadataRecord(g.groupId, null))
    for (const id of g.members.keys()) records.push(consumerGroupMemberMetadataRecord(g.groupId, id, null))
    for (const r of g.regexes.keys()) records.push(consumerGroupRegularExpressionRecord(g.groupId, r, null))
    records.push(consumerGroupMetadataRecord(g.groupId, null))
    return records
  }

  /** LeaveGroup's administrative removal of a static member by instance id (consumer-protocol members only). */
  removeStaticMember (g: ConsumerGroup, instanceId: string): Promise<number> | null {
    const m = g.staticMember(instanceId)
    if (m === undefined) return null
    return this.fenceAndWrite(g, m.memberId, 'static member removed from the consumer group by an admin request')
  }

  // ---------------------------------------------------------------- classic-protocol members

  /**
   * Kafka's classicGroupJoinToConsumerGroup: the member's subscription (first protocol's metadata) becomes
   * its consumer-group subscription, its owned partitions drive the reconciliation, and the answer carries
   * its member epoch as the generation; it learns its partitions at SyncGroup. No member is the leader.
   */
  async classicJoin (req: JoinRequest): Promise<JoinResult> {
    const g = this.groups.get(req.groupId)
    if (g === undefined) return joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID)
    const records: CoordinatorRecord[] = []
    let result: JoinResult
    try {
      result = this.classicJoinStep(g, req, records)
    } catch (err) {
      if (!(err instanceof GroupError)) throw err
      if (records.length > 0) await this.host.write(g.groupId, records)
      return joinError(req.memberId, err.errorCode)
    }
    if (records.length > 0) {
      const code = await this.host.write(g.groupId, records)
      if (code !== ErrorCode.NONE) return joinError(req.memberId, code)
    }
    if (result.errorCode === ErrorCode.NONE && this.live(g) && g.members.has(result.memberId)) {
      const memberId = result.memberId
      this.host.timer.cancel(this.joinKey(g.groupId, memberId))
      this.scheduleSession(g, memberId)
      // The member must come and collect its assignment within its rebalance timeout.
      this.host.timer.schedule(this.syncKey(g.groupId, memberId), Math.max(0, req.rebalanceTimeoutMs), () => {
        if (!this.live(g) || !g.members.has(memberId)) return
        void this.fenceAndWrite(g, memberId, 'classic member failed to send SyncGroup within its rebalance timeout; removing it')
      })
    }
    return result
  }

  private classicJoinStep (g: ConsumerGroup, req: JoinRequest, records: CoordinatorRecord[]): JoinResult {
    if (!g.supportsClassicProtocols(req.protocolType, req.protocols.map(p => p.name))) {
      throw new GroupError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'The group does not support the protocols of the joining member.')
    }
    let sub
    try {
      sub = decodeSubscription(req.protocols[0]!.metadata)
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err
      throw new GroupError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, 'Malformed embedded consumer protocol in subscription.')
    }
    const unknown = req.memberId === ''
    let memberId: string
    let member: ConsumerGroupMember
    if (req.groupInstanceId === null) {
      // KIP-394, as for classic groups: the member id is handed out first.
      if (unknown && req.apiVersion >= 4) return joinError(randomUuid(), ErrorCode.MEMBER_ID_REQUIRED)
      memberId = unknown ? randomUuid() : req.memberId
      const existing = g.members.get(memberId)
      if (existing !== undefined && existing.classic === null) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} does not use the classic protocol.`)
      member = existing ?? newMember(memberId)
    } else {
      const existing = g.staticMember(req.groupInstanceId)
      if (existing === undefined) {
        memberId = unknown ? randomUuid() : req.memberId
        member = g.members.get(memberId) ?? newMember(memberId)
      } else if (unknown) {
        memberId = randomUuid()
        member = this.replaceStatic(g, existing, memberId, records)
      } else if (existing.memberId !== req.memberId) {
        throw new GroupError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${req.memberId} with instance id ${req.groupInstanceId} was fenced by member ${existing.memberId}.`)
      } else {
        memberId = existing.memberId
        member = existing
      }
    }
    if (!g.members.has(memberId) && g.size >= this.config.maxSize) {
      throw new GroupError(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.config.maxSize} members.`)
    }
    const updated = cloneMember(member)
    Object.assign(updated, {
      instanceId: req.groupInstanceId,
      rackId: sub.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      serverAssignor: null,
      subscribedTopicNames: [...new Set(sub.topics)].sort(),
      subscribedTopicRegex: null,
      clientId: req.clientId,
      clientHost: req.clientHost,
      classic: { sessionTimeoutMs: req.sessionTimeoutMs, protocols: req.protocols.map(p => ({ name: p.name, metadata: p.metadata })) }
    })
    const image = this.host.image()
    const owned = sub.ownedPartitions
      .map(tp => ({ topicId: image.topicsByName.get(tp.topic)?.id ?? '', partitions: tp.partitions }))
      .filter(tp => tp.topicId !== '')
    const reconciled = this.applyMember(g, member, updated, owned, records, this.host.clock.now())
    this.host.log.info({ group: g.groupId, memberId, epoch: reconciled.memberEpoch }, 'classic member joined the consumer group')
    return {
      errorCode: ErrorCode.NONE,
      generationId: reconciled.memberEpoch,
      protocolType: 'consumer',
      protocolName: req.protocols[0]!.name,
      leader: '',
      skipAssignment: false,
      memberId,
      members: []
    }
  }

  /** Kafka's classicGroupSyncToConsumerGroup: the member's current assignment, in its subscription's version. */
  classicSync (req: SyncRequest): SyncResult {
    const g = this.groups.get(req.groupId)
    const m = g?.members.get(req.memberId)
    if (g === undefined || m === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    if (req.groupInstanceId !== null && m.instanceId !== req.groupInstanceId) return syncError(ErrorCode.FENCED_INSTANCE_ID)
    if (m.classic === null) return syncError(ErrorCode.UNKNOWN_MEMBER_ID)
    if (req.generationId !== m.memberEpoch) return syncError(ErrorCode.ILLEGAL_GENERATION)
    const protocol = m.classic.protocols[0]!
    if ((req.protocolType !== null && req.protocolType !== 'consumer') || (req.protocolName !== null && req.protocolName !== protocol.name)) {
      return syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    }
    this.host.timer.cancel(this.syncKey(g.groupId, m.memberId))
    this.scheduleSession(g, m.memberId)
    const image = this.host.image()
    const topics = [...m.assigned].filter(([, ps]) => ps.size > 0)
      .map(([id, ps]) => ({ topic: image.topicsById.get(id)?.name ?? '', partitions: [...ps.keys()].sort((a, b) => a - b) }))
      .filter(tp => tp.topic !== '')
    return { errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: protocol.name, assignment: encodeAssignment(topics, subscriptionVersion(protocol.metadata)) }
  }

  /**
   * Kafka's classicGroupHeartbeatToConsumerGroup: keeps the session alive, and answers REBALANCE_IN_PROGRESS
   * when the member must rejoin (the group epoch moved on, it has partitions to revoke, or partitions it
   * waits for were released); it then has its rebalance timeout to rejoin.
   */
  classicHeartbeat (groupId: string, memberId: string, instanceId: string | null, generationId: number): number {
    const g = this.groups.get(groupId)
    const m = g?.members.get(memberId)
    if (g === undefined || m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
    if (instanceId !== null && m.instanceId !== instanceId) return ErrorCode.FENCED_INSTANCE_ID
    if (m.classic === null) return ErrorCode.UNKNOWN_MEMBER_ID
    if (generationId !== m.memberEpoch) return ErrorCode.ILLEGAL_GENERATION
    this.scheduleSession(g, memberId)
    const rejoin = m.memberEpoch < g.groupEpoch || m.state === MemberState.UNREVOKED_PARTITIONS ||
      (m.state === MemberState.UNRELEASED_PARTITIONS && !g.waitingOnUnreleasedPartition(m))
    if (!rejoin) return ErrorCode.NONE
    const key = this.joinKey(groupId, memberId)
    if (!this.host.timer.has(key)) {
      this.host.timer.schedule(key, Math.max(0, m.rebalanceTimeoutMs), () => {
        if (!this.live(g) || !g.members.has(memberId)) return
        void this.fenceAndWrite(g, memberId, 'classic member failed to rejoin within its rebalance timeout; removing it')
      })
    }
    return ErrorCode.REBALANCE_IN_PROGRESS
  }

  /**
   * Kafka's classicGroupLeaveToConsumerGroup: members leave by member id (classic-protocol members only) or
   * are removed by instance id (an admin request, any member); the group may go back to classic.
   */
  classicLeave (g: ConsumerGroup, members: { memberId: string, groupInstanceId: string | null }[]): LeaveResult {
    const leaving: string[] = []
    const out = members.map(x => {
      let errorCode: number = ErrorCode.NONE
      let m: ConsumerGroupMember | undefined
      if (x.groupInstanceId !== null) {
        m = g.staticMember(x.groupInstanceId)
        if (m === undefined) errorCode = ErrorCode.UNKNOWN_MEMBER_ID
        else if (x.memberId !== '' && m.memberId !== x.memberId) errorCode = ErrorCode.FENCED_INSTANCE_ID
      } else {
        m = g.members.get(x.memberId)
        if (m === undefined || m.classic === null) errorCode = ErrorCode.UNKNOWN_MEMBER_ID
      }
      if (errorCode === ErrorCode.NONE && !leaving.includes(m!.memberId)) leaving.push(m!.memberId)
      return { ...x, errorCode }
    })
    if (leaving.length > 0) {
      this.host.log.info({ group: g.groupId, members: leaving }, 'members left the consumer group through LeaveGroup')
      const records: CoordinatorRecord[] = []
      const classic = this.fenceOrDowngrade(g, leaving, records)
      void this.host.write(g.groupId, records).then(code => { if (code === ErrorCode.NONE && classic !== null) this.host.rebalanceClassicGroup(classic) })
    }
    return { errorCode: ErrorCode.NONE, members: out }
  }

  describe (groupId: string): DescribedConsumerGroup {
    const base = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] }
    const g = this.groups.get(groupId)
    if (g === undefined || g.dead) {
      const msg = this.host.classicGroup(groupId) !== null ? `Group ${groupId} is not a consumer group.` : `Group ${groupId} not found.`
      return { ...base, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: msg }
    }
    const image = this.host.image()
    const describe = (a: Assignment): DescribedAssignment => ({
      topicPartitions: [...a].filter(([, ps]) => ps.size > 0).map(([topicId, ps]) => ({ topicId, topicName: image.topicsById.get(topicId)?.name ?? '', partitions: [...ps].sort((x, y) => x - y) }))
    })
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupId,
      groupState: g.state(),
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: this.preferredAssignor(g).name,
      members: [...g.members.values()].map(m => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: describe(partitionsOf(m.assigned)),
        targetAssignment: describe(g.target.get(m.memberId) ?? new Map()),
        memberType: m.classic !== null ? 0 : 1
      }))
    }
  }
}
