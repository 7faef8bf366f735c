// A classic (JoinGroup/SyncGroup) group's in-memory state, as Kafka's ClassicGroup keeps it: members,
// static-member mapping, members pending join (issued a member id, KIP-394) and pending sync, protocol
// votes, and the parked JoinGroup/SyncGroup responses. Transitions are decided by the coordinator.
import { Reader } from '../wire/reader.js'
import { ErrorCode } from '../wire/generated/errors.js'

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

/** Which states each state may be entered from (Kafka's ClassicGroupState.validPreviousStates). */
const VALID_PREVIOUS: Record<GroupState, GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead']
}

export interface Protocol { name: string, metadata: Buffer }

export interface JoinResult {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  skipAssignment: boolean
  memberId: string
  members: { memberId: string, groupInstanceId: string | null, metadata: Buffer }[]
}

export interface SyncResult {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export const EMPTY_BUFFER = Buffer.alloc(0)

export function joinError (memberId: string, errorCode: number): JoinResult {
  return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', skipAssignment: false, memberId, members: [] }
}

export function syncError (errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_BUFFER }
}

export class ClassicMember {
  assignment: Buffer = EMPTY_BUFFER
  awaitingJoin: ((r: JoinResult) => void) | null = null
  awaitingSync: ((r: SyncResult) => void) | null = null
  /** Joined but not yet through a completed join phase: may expire while its JoinGroup is parked. */
  isNew = false

  constructor (
    public memberId: string,
    readonly groupInstanceId: string | null,
    readonly clientId: string,
    readonly clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    readonly protocolType: string,
    public protocols: Protocol[]
  ) {}

  get isStatic (): boolean { return this.groupInstanceId !== null }

  metadata (protocolName: string | null): Buffer {
    return this.protocols.find(p => p.name === protocolName)?.metadata ?? EMPTY_BUFFER
  }

  /** Same protocols with the same metadata, in the same order. */
  matches (protocols: Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata))
  }

  /** The member's most preferred protocol among the candidates. */
  vote (candidates: Set<string>): string | undefined {
    return this.protocols.find(p => candidates.has(p.name))?.name
  }

  /** Members awaiting a rebalance step are kept alive by it; otherwise the next heartbeat is required. */
  hasSatisfiedHeartbeat (): boolean {
    if (this.isNew) return false
    return this.awaitingJoin !== null || this.awaitingSync !== null
  }
}

export class ClassicGroup {
  state: GroupState
  previousState: GroupState | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  readonly members = new Map<string, ClassicMember>()
  readonly staticMembers = new Map<string, string>()
  readonly pendingJoinMembers = new Set<string>()
  readonly pendingSyncMembers = new Set<string>()
  numAwaitingJoin = 0
  /** Set when a member joins during the initial (delayed) rebalance, which then extends the delay. */
  newMemberAdded = false
  /** Topics the members subscribe to (consumer protocol only); null when unknown. */
  subscribedTopics: Set<string> | null = null
  private readonly protocolVotes = new Map<string, number>()

  constructor (
    readonly groupId: string,
    state: GroupState,
    public generationId = 0,
    public protocolType: string | null = null,
    public currentStateTimestamp: number | null = null
  ) {
    this.state = state
  }

  get size (): number { return this.members.size }
  get usesConsumerProtocol (): boolean { return this.protocolType === 'consumer' }

  is (s: GroupState): boolean { return this.state === s }

  transitionTo (s: GroupState, now: number): void {
    if (!VALID_PREVIOUS[s].includes(this.state)) throw new Error(`group ${this.groupId}: invalid transition ${this.state} -> ${s}`)
    this.previousState = this.state
    this.state = s
    this.currentStateTimestamp = now
  }

  canRebalance (): boolean { return VALID_PREVIOUS.PreparingRebalance.includes(this.state) }

  add (m: ClassicMember, onJoin: ((r: JoinResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = m.protocolType
    if (this.leaderId === null) this.leaderId = m.memberId
    this.members.set(m.memberId, m)
    if (m.groupInstanceId !== null) this.staticMembers.set(m.groupInstanceId, m.memberId)
    this.pendingJoinMembers.delete(m.memberId)
    this.countVotes(m, 1)
    m.awaitingJoin = onJoin
    if (onJoin !== null) this.numAwaitingJoin++
  }

  remove (memberId: string): void {
    this.pendingJoinMembers.delete(memberId)
    const m = this.members.get(memberId)
    if (m === undefined) return
    this.countVotes(m, -1)
    this.members.delete(memberId)
    if (m.groupInstanceId !== null && this.staticMembers.get(m.groupInstanceId) === memberId) this.staticMembers.delete(m.groupInstanceId)
    if (m.awaitingJoin !== null) this.numAwaitingJoin--
    this.pendingSyncMembers.delete(memberId)
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null
  }

  updateMember (m: ClassicMember, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, onJoin: ((r: JoinResult) => void) | null): void {
    this.countVotes(m, -1)
    m.protocols = protocols
    this.countVotes(m, 1)
    m.rebalanceTimeoutMs = rebalanceTimeoutMs
    m.sessionTimeoutMs = sessionTimeoutMs
    if (onJoin !== null && m.awaitingJoin === null) this.numAwaitingJoin++
    else if (onJoin === null && m.awaitingJoin !== null) this.numAwaitingJoin--
    m.awaitingJoin = onJoin
  }

  private countVotes (m: ClassicMember, delta: number): void {
    for (const p of m.protocols) this.protocolVotes.set(p.name, (this.protocolVotes.get(p.name) ?? 0) + delta)
  }

  completeJoin (m: ClassicMember, r: JoinResult): boolean {
    const f = m.awaitingJoin
    if (f === null) return false
    m.awaitingJoin = null
    this.numAwaitingJoin--
    f(r)
    return true
  }

  completeSync (m: ClassicMember, r: SyncResult): boolean {
    const f = m.awaitingSync
    if (f === null) return false
    m.awaitingSync = null
    f(r)
    return true
  }

  /** A static member's rejoin under a new member id: the old id's parked requests are fenced. */
  replaceStaticMember (instanceId: string, oldId: string, newId: string): ClassicMember {
    const old = this.members.get(oldId)
    if (old === undefined) throw new Error(`cannot replace unknown member ${oldId}`)
    this.members.delete(oldId)
    if (old.awaitingJoin !== null) {
      this.completeJoin(old, joinError(oldId, ErrorCode.FENCED_INSTANCE_ID))
    }
    this.completeSync(old, syncError(ErrorCode.FENCED_INSTANCE_ID))
    const m = new ClassicMember(newId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs, old.sessionTimeoutMs, old.protocolType, old.protocols)
    m.assignment = old.assignment
    this.members.set(newId, m)
    if (this.leaderId === oldId) this.leaderId = newId
    if (this.pendingSyncMembers.delete(oldId)) this.pendingSyncMembers.add(newId)
    this.staticMembers.set(instanceId, newId)
    return m
  }

  hasAllMembersJoined (): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingJoinMembers.size === 0
  }

  /** The group's rebalance timeout: the largest of its members'. */
  rebalanceTimeoutMs (): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  candidateProtocols (): Set<string> {
    const out = new Set<string>()
    for (const [name, n] of this.protocolVotes) if (n === this.members.size && n > 0) out.add(name)
    return out
  }

  /** Each member votes for its most preferred protocol that every member supports; most votes wins. */
  selectProtocol (): string {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const v = m.vote(candidates)
      if (v !== undefined) votes.set(v, (votes.get(v) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = -1
    for (const [name, n] of votes) if (n > bestVotes) { best = name; bestVotes = n }
    if (best === null) throw new Error(`group ${this.groupId}: no protocol supported by all members`)
    return best
  }

  supportsProtocols (protocolType: string, names: string[]): boolean {
    if (this.is('Empty')) return protocolType !== '' && names.length > 0
    return this.protocolType === protocolType && names.some(n => (this.protocolVotes.get(n) ?? 0) === this.members.size)
  }

  /** Makes a joined member the leader if the current leader has not rejoined. */
  maybeElectNewJoinedLeader (): boolean {
    if (this.leaderId === null) return false
    const leader = this.members.get(this.leaderId)
    if (leader !== undefined && leader.awaitingJoin !== null) return true
    for (const m of this.members.values()) {
      if (m.awaitingJoin !== null) {
        this.leaderId = m.memberId
        return true
      }
    }
    return false
  }

  initNextGeneration (now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.subscribedTopics = this.computeSubscribedTopics()
      this.transitionTo('Empty', now)
    }
    this.pendingSyncMembers.clear()
  }

  /**
   * The union of the members' subscriptions, read from the consumer protocol's v0 prefix (version, then
   * the topic array) that every version shares; null when the protocol is not "consumer" or unreadable.
   */
  computeSubscribedTopics (): Set<string> | null {
    if (this.protocolType !== 'consumer') return null
    if (this.members.size === 0) return new Set()
    if (this.protocolName === null) return null
    const topics = new Set<string>()
    try {
      for (const m of this.members.values()) {
        const r = new Reader(m.metadata(this.protocolName))
        r.int16()
        const n = r.int32()
        if (n < 0 || n > r.remaining) return null
        for (let i = 0; i < n; i++) topics.add(r.string())
      }
    } catch {
      return null
    }
    return topics
  }

  isSubscribedToTopic (topic: string): boolean {
    return this.subscribedTopics === null ? this.usesConsumerProtocol : this.subscribedTopics.has(topic)
  }

  isLeader (memberId: string): boolean { return this.leaderId === memberId }

  currentMembers (): JoinResult['members'] {
    return [...this.members.values()].map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(this.protocolName) }))
  }
}
