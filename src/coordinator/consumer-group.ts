// A KIP-848 consumer group's in-memory state, as Kafka's ConsumerGroup and ConsumerGroupMember keep it:
// the group epoch (bumped by every membership or subscription change), the target assignment computed by
// the server-side assignor at an assignment epoch, and each member's current assignment, epoch and
// reconciliation state. Partitions carry the epoch at which the member got them (KIP-1263's assignment
// epochs). Decisions live in the coordinator; this module keeps the state consistent.

/** topic id -> partitions */
export type Assignment = Map<string, Set<number>>
/** topic id -> partition -> epoch at which it was assigned */
export type EpochAssignment = Map<string, Map<number, number>>

/** Kafka's MemberState byte values, as persisted in ConsumerGroupCurrentMemberAssignmentValue.State. */
export const MemberState = { STABLE: 0, UNREVOKED_PARTITIONS: 1, UNRELEASED_PARTITIONS: 2, UNKNOWN: 127 } as const
export type MemberStateValue = number

export const LEAVE_GROUP_MEMBER_EPOCH = -1
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead'

/** What a classic-protocol member inside a consumer group joined with (ConsumerGroupMemberMetadataValue.ClassicMemberMetadata). */
export interface ClassicMemberMetadata {
  sessionTimeoutMs: number
  protocols: { name: string, metadata: Buffer }[]
}

export interface ConsumerGroupMember {
  memberId: string
  instanceId: string | null
  rackId: string | null
  clientId: string
  clientHost: string
  subscribedTopicNames: string[]
  subscribedTopicRegex: string | null
  rebalanceTimeoutMs: number
  serverAssignor: string | null
  memberEpoch: number
  previousMemberEpoch: number
  state: MemberStateValue
  assigned: EpochAssignment
  pendingRevocation: EpochAssignment
  /** Set for a member that uses the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside the consumer group. */
  classic: ClassicMemberMetadata | null
}

export function newMember (memberId: string): ConsumerGroupMember {
  return {
    memberId,
    instanceId: null,
    rackId: null,
    clientId: '',
    clientHost: '',
    subscribedTopicNames: [],
    subscribedTopicRegex: null,
    rebalanceTimeoutMs: -1,
    serverAssignor: null,
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: MemberState.STABLE,
    assigned: new Map(),
    pendingRevocation: new Map(),
    classic: null
  }
}

export function copyEpochAssignment (a: EpochAssignment): EpochAssignment {
  return new Map([...a].map(([t, ps]) => [t, new Map(ps)]))
}

export function cloneMember (m: ConsumerGroupMember, memberId = m.memberId): ConsumerGroupMember {
  return { ...m, memberId, subscribedTopicNames: [...m.subscribedTopicNames], assigned: copyEpochAssignment(m.assigned), pendingRevocation: copyEpochAssignment(m.pendingRevocation) }
}

export function partitionsOf (a: EpochAssignment): Assignment {
  return new Map([...a].map(([t, ps]) => [t, new Set(ps.keys())]))
}

export function sameAssignment (a: Assignment, b: Assignment): boolean {
  const nonEmpty = (x: Assignment): [string, Set<number>][] => [...x].filter(([, ps]) => ps.size > 0)
  const ea = nonEmpty(a)
  const eb = nonEmpty(b)
  if (ea.length !== eb.length) return false
  for (const [t, ps] of ea) {
    const other = b.get(t)
    if (other === undefined || other.size !== ps.size) return false
    for (const p of ps) if (!other.has(p)) return false
  }
  return true
}

export function sameEpochAssignment (a: EpochAssignment, b: EpochAssignment): boolean {
  if (!sameAssignment(partitionsOf(a), partitionsOf(b))) return false
  for (const [t, ps] of a) for (const [p, e] of ps) if (b.get(t)?.get(p) !== e) return false
  return true
}

/** The fields ConsumerGroupMemberMetadataValue carries: a change writes a new record. */
export function sameMetadata (a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return a.instanceId === b.instanceId && a.rackId === b.rackId && a.clientId === b.clientId && a.clientHost === b.clientHost &&
    a.subscribedTopicRegex === b.subscribedTopicRegex && a.rebalanceTimeoutMs === b.rebalanceTimeoutMs && a.serverAssignor === b.serverAssignor &&
    a.subscribedTopicNames.length === b.subscribedTopicNames.length && a.subscribedTopicNames.every((n, i) => n === b.subscribedTopicNames[i]) &&
    sameClassic(a.classic, b.classic)
}

function sameClassic (a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === null || b === null) return a === b
  return a.sessionTimeoutMs === b.sessionTimeoutMs && a.protocols.length === b.protocols.length &&
    a.protocols.every((p, i) => p.name === b.protocols[i]!.name && p.metadata.equals(b.protocols[i]!.metadata))
}

/** The fields ConsumerGroupCurrentMemberAssignmentValue carries. */
export function sameCurrentAssignment (a: ConsumerGroupMember, b: ConsumerGroupMember): boolean {
  return a.memberEpoch === b.memberEpoch && a.previousMemberEpoch === b.previousMemberEpoch && a.state === b.state &&
    sameEpochAssignment(a.assigned, b.assigned) && sameEpochAssignment(a.pendingRevocation, b.pendingRevocation)
}

export interface ResolvedRegex { topics: Set<string>, version: bigint, timestamp: bigint }

export class ConsumerGroup {
  groupEpoch = 0
  metadataHash = 0n
  assignmentEpoch = 0
  readonly members = new Map<string, ConsumerGroupMember>()
  readonly staticMembers = new Map<string, string>()
  /** member id -> target partitions */
  readonly target = new Map<string, Assignment>()
  readonly regexes = new Map<string, ResolvedRegex>()
  /** topic id -> partition -> epoch of the member that currently holds it (assigned or pending revocation) */
  private readonly owners = new Map<string, Map<number, number>>()
  dead = false

  constructor (readonly groupId: string) {}

  get size (): number { return this.members.size }

  state (): ConsumerGroupState {
    if (this.dead) return 'Dead'
    if (this.members.size === 0) return 'Empty'
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning'
    for (const m of this.members.values()) {
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== MemberState.STABLE) return 'Reconciling'
    }
    return 'Stable'
  }

  /** The epoch of the member holding the partition, or -1 when it is free. */
  partitionEpoch (topicId: string, partition: number): number {
    return this.owners.get(topicId)?.get(partition) ?? -1
  }

  private track (m: ConsumerGroupMember, add: boolean): void {
    for (const a of [m.assigned, m.pendingRevocation]) {
      for (const [t, ps] of a) {
        let byP = this.owners.get(t)
        if (byP === undefined) {
          if (!add) continue
          this.owners.set(t, byP = new Map())
        }
        for (const p of ps.keys()) {
          if (add) byP.set(p, m.memberEpoch)
          else byP.delete(p)
        }
        if (byP.size === 0) this.owners.delete(t)
      }
    }
  }

  /** Adds or replaces a member, keeping partition ownership and the static-member index in step. */
  putMember (m: ConsumerGroupMember): void {
    const old = this.members.get(m.memberId)
    if (old !== undefined) {
      this.track(old, false)
      if (old.instanceId !== null && this.staticMembers.get(old.instanceId) === old.memberId) this.staticMembers.delete(old.instanceId)
    }
    this.members.set(m.memberId, m)
    if (m.instanceId !== null) this.staticMembers.set(m.instanceId, m.memberId)
    this.track(m, true)
  }

  removeMember (memberId: string): ConsumerGroupMember | undefined {
    const m = this.members.get(memberId)
    if (m === undefined) return undefined
    this.track(m, false)
    this.members.delete(memberId)
    if (m.instanceId !== null && this.staticMembers.get(m.instanceId) === memberId) this.staticMembers.delete(m.instanceId)
    return m
  }

  staticMember (instanceId: string): ConsumerGroupMember | undefined {
    const id = this.staticMembers.get(instanceId)
    return id === undefined ? undefined : this.members.get(id)
  }

  /** Topic names some member subscribes to, by name or through a resolved regex. */
  subscribedTopicNames (members: Iterable<ConsumerGroupMember> = this.members.values()): Set<string> {
    const out = new Set<string>()
    for (const m of members) {
      for (const n of m.subscribedTopicNames) out.add(n)
      if (m.subscribedTopicRegex !== null && m.subscribedTopicRegex !== '') for (const n of this.regexes.get(m.subscribedTopicRegex)?.topics ?? []) out.add(n)
    }
    return out
  }

  /** The member's subscription: its topic names plus what its regex resolved to. */
  memberTopics (m: ConsumerGroupMember): Set<string> {
    return this.subscribedTopicNames([m])
  }

  isSubscribedToTopic (topic: string): boolean { return this.subscribedTopicNames().has(topic) }

  /** Kafka's numClassicProtocolMembers. */
  classicMembers (): ConsumerGroupMember[] { return [...this.members.values()].filter(m => m.classic !== null) }

  /**
   * Kafka's supportsClassicProtocols: a classic member may join with protocol type "consumer" when one of
   * its protocol names is supported by every classic member already in the group.
   */
  supportsClassicProtocols (protocolType: string, names: string[]): boolean {
    if (protocolType !== 'consumer' || names.length === 0) return false
    const classic = this.classicMembers()
    if (classic.length === 0) return true
    return names.some(n => classic.every(m => m.classic!.protocols.some(p => p.name === n)))
  }

  /** Kafka's waitingOnUnreleasedPartition: some target partition the member lacks is still held by another member. */
  waitingOnUnreleasedPartition (m: ConsumerGroupMember): boolean {
    for (const [t, ps] of this.target.get(m.memberId) ?? []) {
      for (const p of ps) if (m.assigned.get(t)?.has(p) !== true && this.partitionEpoch(t, p) !== -1) return true
    }
    return false
  }

  /** Regexes still used by some member. */
  usedRegexes (): Set<string> {
    const out = new Set<string>()
    for (const m of this.members.values()) if (m.subscribedTopicRegex !== null && m.subscribedTopicRegex !== '') out.add(m.subscribedTopicRegex)
    return out
  }
}

/**
 * Kafka's CurrentAssignmentBuilder: moves a member one step towards its target assignment. Partitions it
 * must give up are revoked first (the member keeps its epoch until it reports them gone); partitions still
 * held by another member are withheld (UNRELEASED_PARTITIONS) until that member releases them.
 */
export function reconcile (
  g: ConsumerGroup,
  member: ConsumerGroupMember,
  targetEpoch: number,
  target: Assignment,
  subscribedTopicIds: Set<string>,
  owned: { topicId: string, partitions: number[] }[] | null
): ConsumerGroupMember {
  const ownsRevoked = (pending: EpochAssignment): boolean => {
    if (owned === null) return true
    for (const tp of owned) {
      const ps = pending.get(tp.topicId)
      if (ps !== undefined && tp.partitions.some(p => ps.has(p))) return true
    }
    return false
  }
  const next = (epoch: number, current: EpochAssignment): ConsumerGroupMember => {
    let unreleased = false
    const assigned: EpochAssignment = new Map()
    const revoke: EpochAssignment = new Map()
    const toAssign: Assignment = new Map()
    const topics = new Set([...target.keys(), ...current.keys()])
    for (const t of topics) {
      const want = subscribedTopicIds.has(t) ? target.get(t) ?? new Set<number>() : new Set<number>()
      const cur = current.get(t) ?? new Map<number, number>()
      const keep = new Map([...cur].filter(([p]) => want.has(p)))
      const gone = new Map([...cur].filter(([p]) => !keep.has(p)))
      const pendingHere = member.pendingRevocation.get(t)
      const add = new Set<number>()
      for (const p of want) {
        if (keep.has(p)) continue
        if (g.partitionEpoch(t, p) !== -1 && pendingHere?.has(p) !== true) unreleased = true
        else add.add(p)
      }
      if (keep.size > 0) assigned.set(t, keep)
      if (gone.size > 0) revoke.set(t, gone)
      if (add.size > 0) toAssign.set(t, add)
    }
    const m = cloneMember(member)
    if (revoke.size > 0 && ownsRevoked(revoke)) {
      m.state = MemberState.UNREVOKED_PARTITIONS
      setEpoch(m, epoch)
      m.assigned = assigned
      m.pendingRevocation = revoke
      return m
    }
    for (const [t, ps] of toAssign) {
      let byP = assigned.get(t)
      if (byP === undefined) assigned.set(t, byP = new Map())
      for (const p of ps) byP.set(p, targetEpoch)
    }
    m.state = unreleased ? MemberState.UNRELEASED_PARTITIONS : MemberState.STABLE
    setEpoch(m, targetEpoch)
    m.assigned = assigned
    m.pendingRevocation = new Map()
    return m
  }
  switch (member.state) {
    case MemberState.STABLE:
      return member.memberEpoch !== targetEpoch ? next(member.memberEpoch, member.assigned) : member
    case MemberState.UNREVOKED_PARTITIONS:
      return ownsRevoked(member.pendingRevocation) ? member : next(member.memberEpoch, member.assigned)
    case MemberState.UNRELEASED_PARTITIONS:
      return next(member.memberEpoch, member.assigned)
    default:
      if (owned === null || owned.length > 0) throw new FencedError('The consumer group member is in a unknown state. The member must abandon all its partitions and rejoin.')
      return next(targetEpoch, member.assigned)
  }
}

/** Kafka's updateMemberEpoch: the previous epoch always becomes the one the member had before this step. */
function setEpoch (m: ConsumerGroupMember, epoch: number): void {
  m.previousMemberEpoch = m.memberEpoch
  m.memberEpoch = epoch
}

/** A Kafka error raised inside the state machine, answered as the response's error code and message. */
export class GroupError extends Error {
  constructor (readonly errorCode: number, message: string) { super(message) }
}

export class FencedError extends GroupError {
  constructor (message: string) { super(110, message) }
}
