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
import {
  consumerGroupMetadataRecord, consumerGroupMemberMetadataRecord, consumerGroupTargetAssignmentMetadataRecord,
  consumerGroupTargetAssignmentMemberRecord, consumerGroupCurrentMemberAssignmentRecord, consumerGroupRegularExpressionRecord,
  type CoordinatorRecord, type ConsumerRecord
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
    let result: ConsumerHeartbeatResult
    try {
      result = req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH
        ? this.leave(req, records)
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
    return result
  }

  /** The group, or a new one that becomes real (replacing an empty classic group) only once `adopt` is called. */
  private getOrMaybeCreate (groupId: string, create: boolean): { g: ConsumerGroup, adopt: (records: CoordinatorRecord[]) => void } {
    const existing = this.groups.get(groupId)
    if (existing !== undefined) return { g: existing, adopt: () => {} }
    const classic = this.host.classicGroup(groupId)
    if (classic === null && !create) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Consumer group ${groupId} not found.`)
    if (classic !== null) {
      if (!create) throw new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`)
      if (!classic.empty) throw this.upgradeRefusal(groupId, classic)
    }
    const created = new ConsumerGroup(groupId)
    return {
      g: created,
      adopt: records => {
        if (classic !== null) {
          records.push(...this.host.dropClassicGroup(groupId))
          this.host.log.info({ group: groupId }, 'converted the empty classic group to a consumer group')
        }
        this.groups.set(groupId, created)
      }
    }
  }

  /**
   * Kafka's validateOnlineUpgrade, in its order and with its messages. A group that passes it would be
   * converted by Kafka (ConsumerGroup.fromClassicGroup) and run as a mixed group; samsa does not run
   * classic-protocol members inside a consumer group, so that case is refused too, with its own reason.
   */
  upgradeRefusal (groupId: string, classic: { usesConsumerProtocol: boolean, size: number }): GroupError {
    const policy = this.config.migrationPolicy
    const why = policy !== 'upgrade' && policy !== 'bidirectional'
      ? 'online upgrade is disabled'
      : !classic.usesConsumerProtocol ? 'the group does not use the consumer embedded protocol'
          : classic.size > this.config.maxSize ? 'the group size exceeds the consumer group maximum size'
            : 'this broker does not run classic-protocol members inside a consumer group (mixed groups)'
    this.host.log.info({ group: groupId, policy }, `cannot upgrade classic group to consumer group because ${why}`)
    return new GroupError(ErrorCode.GROUP_ID_NOT_FOUND, `Cannot upgrade classic group ${groupId} to consumer group because ${why}.`)
  }

  private join (req: ConsumerHeartbeatRequest, records: CoordinatorRecord[]): ConsumerHeartbeatResult {
    const now = this.host.clock.now()
    const create = req.memberEpoch === 0
    const { g, adopt } = this.getOrMaybeCreate(req.groupId, create)
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

    let bump = g.groupEpoch === 0
    if (!sameMetadata(member, updated) || !g.members.has(memberId)) {
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

    const reconciled = reconcile(g, updated, g.assignmentEpoch, g.target.get(memberId) ?? new Map(), this.subscribedTopicIds(g, updated), req.topicPartitions)
    if (!sameCurrentAssignment(updated, reconciled)) {
      records.push(this.currentAssignmentRecord(g.groupId, reconciled))
      g.putMember(reconciled)
    }
    this.scheduleRebalanceTimeout(g, reconciled)
    this.scheduleSession(g, memberId)

    const full = req.memberEpoch === 0 || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.topicPartitions !== null)
    const changed = !sameAssignment(partitionsOf(member.assigned), partitionsOf(reconciled.assigned))
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: reconciled.memberEpoch,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      assignment: full || changed ? { topicPartitions: toList(reconciled.assigned) } : null
    }
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
      // The instance comes back under a new member id: it takes over the previous member's assignment.
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
    if (existing === undefined) throw new GroupError(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${instanceId} is unknown.`)
    if (existing.memberId !== memberId) throw new GroupError(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${instanceId} was fenced by member ${existing.memberId}.`)
    this.checkEpoch(existing, req.memberEpoch, req.topicPartitions)
    return existing
  }

  private leave (req: ConsumerHeartbeatRequest, records: CoordinatorRecord[]): ConsumerHeartbeatResult {
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
    this.fence(g, m.memberId, records)
    return done(LEAVE_GROUP_MEMBER_EPOCH)
  }

  // ---------------------------------------------------------------- membership changes

  private removeMemberRecords (g: ConsumerGroup, memberId: string, records: CoordinatorRecord[]): void {
    records.push(consumerGroupCurrentMemberAssignmentRecord(g.groupId, memberId, null))
    records.push(consumerGroupTargetAssignmentMemberRecord(g.groupId, memberId, null))
    records.push(consumerGroupMemberMetadataRecord(g.groupId, memberId, null))
  }

  /** Removes a member and bumps the group epoch so the others get its partitions. */
  private fence (g: ConsumerGroup, memberId: string, records: CoordinatorRecord[]): void {
    this.removeMemberRecords(g, memberId, records)
    g.removeMember(memberId)
    g.target.delete(memberId)
    this.cancelTimers(g.groupId, memberId)
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

  /** Fences a member outside any request (session or rebalance timeout, admin removal) and writes it. */
  private fenceAndWrite (g: ConsumerGroup, memberId: string, why: string): Promise<number> {
    this.host.log.info({ group: g.groupId, memberId }, why)
    const records: CoordinatorRecord[] = []
    this.fence(g, memberId, records)
    return this.host.write(g.groupId, records)
  }

  private cancelTimers (groupId: string, memberId: string): void {
    this.host.timer.cancel(this.sessionKey(groupId, memberId))
    this.host.timer.cancel(this.rebalanceKey(groupId, memberId))
  }

  private live (g: ConsumerGroup): boolean { return !this.host.isClosed() && this.groups.get(g.groupId) === g }

  scheduleSession (g: ConsumerGroup, memberId: string): void {
    this.host.timer.schedule(this.sessionKey(g.groupId, memberId), this.config.sessionTimeoutMs, () => {
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
      classicMemberMetadata: null
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
        Object.assign(m, { instanceId: v.instanceId, rackId: v.rackId, clientId: v.clientId, clientHost: v.clientHost, subscribedTopicNames: [...v.subscribedTopicNames], subscribedTopicRegex: v.subscribedTopicRegex, rebalanceTimeoutMs: v.rebalanceTimeoutMs, serverAssignor: v.serverAssignor })
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
        memberType: 1
      }))
    }
  }
}
