// Classic consumer groups: membership (JoinGroup/SyncGroup with the range assignor, heartbeats, commits,
// LeaveGroup) and group administration (list, describe, committed offsets, delete, offset reset).
import { API, sleep, type KafkaClient } from './client.js'
import { check, ConnectionError, KafkaError, RequestTimeoutError } from './errors.js'
import type { Connection } from './connection.js'
import { listOffsets, resolveStart, type StartSpec } from './consumer.js'
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { decodeConsumerProtocolSubscription, encodeConsumerProtocolSubscription } from '../wire/generated/data/consumer-protocol-subscription.js'
import { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment } from '../wire/generated/data/consumer-protocol-assignment.js'
import type { JoinGroupResponse } from '../wire/generated/join-group.js'
import type { SyncGroupResponse } from '../wire/generated/sync-group.js'
import type { HeartbeatResponse } from '../wire/generated/heartbeat.js'
import type { OffsetCommitResponse } from '../wire/generated/offset-commit.js'
import type { OffsetFetchResponse } from '../wire/generated/offset-fetch.js'
import type { DescribeGroupsResponse } from '../wire/generated/describe-groups.js'
import type { ConsumerGroupDescribeResponse } from '../wire/generated/consumer-group-describe.js'
import type { ListGroupsResponse } from '../wire/generated/list-groups.js'
import type { DeleteGroupsResponse } from '../wire/generated/delete-groups.js'

const E = { ILLEGAL_GENERATION: 22, UNKNOWN_MEMBER_ID: 25, REBALANCE_IN_PROGRESS: 27, MEMBER_ID_REQUIRED: 79, FENCED_INSTANCE_ID: 82, GROUP_ID_NOT_FOUND: 69, NOT_COORDINATOR: 16, COORDINATOR_NOT_AVAILABLE: 15, COORDINATOR_LOAD_IN_PROGRESS: 14 } as const

/** topic to partitions. */
export type Assignment = Map<string, number[]>
/** topic to partition to offset. */
export type OffsetMap = Map<string, Map<number, bigint>>

// ---------------------------------------------------------------- consumer protocol payloads

export function encodeSubscription (topics: string[]): Buffer {
  const w = new Writer()
  w.int16(0)
  encodeConsumerProtocolSubscription(w, 0, { topics, userData: null })
  return w.toBuffer()
}

export function decodeSubscription (buf: Buffer): string[] {
  const r = new Reader(buf)
  const v = r.int16()
  return decodeConsumerProtocolSubscription(r, Math.min(Math.max(v, 0), 3)).topics
}

export function encodeAssignment (a: Assignment): Buffer {
  const w = new Writer()
  w.int16(0)
  encodeConsumerProtocolAssignment(w, 0, { assignedPartitions: [...a].map(([topic, partitions]) => ({ topic, partitions })), userData: null })
  return w.toBuffer()
}

export function decodeAssignment (buf: Buffer): Assignment {
  const out: Assignment = new Map()
  if (buf.length === 0) return out
  const r = new Reader(buf)
  const v = r.int16()
  for (const tp of decodeConsumerProtocolAssignment(r, Math.min(Math.max(v, 0), 3)).assignedPartitions) {
    out.set(tp.topic, [...(out.get(tp.topic) ?? []), ...tp.partitions])
  }
  return out
}

/**
 * Kafka's RangeAssignor: per topic, the subscribed members in member-id order each take a contiguous
 * range, the first (partitions % members) members one extra.
 */
export function rangeAssign (members: Array<{ memberId: string, topics: string[] }>, partitionsPerTopic: Map<string, number>): Map<string, Assignment> {
  const out = new Map<string, Assignment>(members.map(m => [m.memberId, new Map()]))
  for (const [topic, n] of partitionsPerTopic) {
    const subs = members.filter(m => m.topics.includes(topic)).map(m => m.memberId).sort()
    if (subs.length === 0) continue
    const per = Math.floor(n / subs.length)
    const extra = n % subs.length
    subs.forEach((id, i) => {
      const start = per * i + Math.min(i, extra)
      const len = per + (i < extra ? 1 : 0)
      if (len === 0) return
      out.get(id)!.set(topic, Array.from({ length: len }, (_, k) => start + k))
    })
  }
  return out
}

// ---------------------------------------------------------------- membership

/** The connection to a group's coordinator, found again after it drops or the coordinator moves. */
export class CoordinatorLink {
  private conn: Connection | null = null

  constructor (private readonly client: KafkaClient, readonly groupId: string) {}

  async get (): Promise<Connection> {
    if (this.conn === null) {
      const c = await this.client.coordinator(this.groupId)
      c.onClose(() => { if (this.conn === c) this.conn = null })
      this.conn = c
    }
    return this.conn
  }

  reset (): void {
    this.conn = null
  }
}

export interface MemberOptions {
  sessionTimeoutMs?: number
  rebalanceTimeoutMs?: number
  heartbeatIntervalMs?: number
  clientId?: string
}

export class GroupMember {
  memberId = ''
  generationId = -1
  assignment: Assignment = new Map()
  /** Set when a heartbeat learns of a rebalance; the owner rejoins at its next chance. */
  needsRejoin = false
  /** A fatal heartbeat error, surfaced to the owner. */
  heartbeatError: Error | null = null
  private heartbeat: NodeJS.Timeout | null = null
  private readonly link: CoordinatorLink

  constructor (private readonly client: KafkaClient, readonly groupId: string, readonly topics: string[], private readonly opts: MemberOptions = {}) {
    this.link = new CoordinatorLink(client, groupId)
  }

  private async coordinator (): Promise<Connection> {
    return await this.link.get()
  }

  /** Joins (or rejoins) and returns this member's assignment. */
  async join (): Promise<Assignment> {
    this.stopHeartbeat()
    this.needsRejoin = false
    for (let attempt = 0; ; attempt++) {
      const c = await this.coordinator()
      c.version(API.JoinGroup, 'join a consumer group')
      const join = await c.request<JoinGroupResponse>(API.JoinGroup, {
        groupId: this.groupId,
        sessionTimeoutMs: this.opts.sessionTimeoutMs ?? 45000,
        rebalanceTimeoutMs: this.opts.rebalanceTimeoutMs ?? 30000,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: encodeSubscription(this.topics) }],
        reason: null
      }, { timeoutMs: (this.opts.rebalanceTimeoutMs ?? 30000) + 10000 })
      if (join.errorCode === E.MEMBER_ID_REQUIRED) { this.memberId = join.memberId; continue }
      if (join.errorCode === E.UNKNOWN_MEMBER_ID) { this.memberId = ''; continue }
      if (await this.retryCoordinator(join.errorCode, attempt)) continue
      check(join.errorCode, `join group ${this.groupId}`)
      this.memberId = join.memberId
      this.generationId = join.generationId
      let assignments: Array<{ memberId: string, assignment: Buffer }> = []
      if (join.leader === join.memberId) {
        const members = join.members.map(m => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata) }))
        const counts = new Map<string, number>()
        for (const topic of new Set(members.flatMap(m => m.topics))) {
          try {
            counts.set(topic, (await this.client.topic(topic, true)).partitions.size)
          } catch (err) {
            // A subscribed topic that does not exist gets no partitions, as Java's assignor does.
            if (!(err instanceof KafkaError) || err.code !== 3) throw err
          }
        }
        assignments = [...rangeAssign(members, counts)].map(([memberId, a]) => ({ memberId, assignment: encodeAssignment(a) }))
      }
      const sync = await c.request<SyncGroupResponse>(API.SyncGroup, {
        groupId: this.groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: 'consumer',
        protocolName: join.protocolName ?? 'range',
        assignments
      }, { timeoutMs: (this.opts.rebalanceTimeoutMs ?? 30000) + 10000 })
      if (sync.errorCode === E.REBALANCE_IN_PROGRESS) continue
      if (sync.errorCode === E.UNKNOWN_MEMBER_ID || sync.errorCode === E.ILLEGAL_GENERATION) { if (sync.errorCode === E.UNKNOWN_MEMBER_ID) this.memberId = ''; continue }
      if (await this.retryCoordinator(sync.errorCode, attempt)) continue
      check(sync.errorCode, `sync group ${this.groupId}`)
      this.assignment = decodeAssignment(sync.assignment)
      this.startHeartbeat()
      return this.assignment
    }
  }

  private async retryCoordinator (code: number, attempt: number): Promise<boolean> {
    if (code !== E.NOT_COORDINATOR && code !== E.COORDINATOR_NOT_AVAILABLE && code !== E.COORDINATOR_LOAD_IN_PROGRESS) return false
    if (attempt > 20) return false
    this.link.reset()
    await sleep(100)
    return true
  }

  private startHeartbeat (): void {
    const interval = this.opts.heartbeatIntervalMs ?? 3000
    this.heartbeat = setInterval(() => {
      void this.beat()
    }, interval)
  }

  private async beat (): Promise<void> {
    try {
      const c = await this.coordinator()
      const res = await c.request<HeartbeatResponse>(API.Heartbeat, { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: null })
      if (res.errorCode === 0) return
      if (res.errorCode === E.REBALANCE_IN_PROGRESS || res.errorCode === E.ILLEGAL_GENERATION) this.needsRejoin = true
      else if (res.errorCode === E.UNKNOWN_MEMBER_ID) { this.memberId = ''; this.needsRejoin = true } else if (res.errorCode === E.NOT_COORDINATOR || res.errorCode === E.COORDINATOR_NOT_AVAILABLE) { this.link.reset(); this.needsRejoin = true } else this.heartbeatError = new KafkaError(res.errorCode, `heartbeat in group ${this.groupId}`)
    } catch (err) {
      this.link.reset()
      // The broker went away: the next beat reconnects, and a session that expired meanwhile answers
      // UNKNOWN_MEMBER_ID, which rejoins.
      if (err instanceof ConnectionError || err instanceof RequestTimeoutError) return
      this.heartbeatError = err as Error
    }
  }

  stopHeartbeat (): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat)
    this.heartbeat = null
  }

  /** Commits as this generation's member. */
  async commit (offsets: OffsetMap): Promise<void> {
    await commitOffsets(this.client, this.groupId, offsets, this.generationId, this.memberId, await this.coordinator())
  }

  async committed (): Promise<OffsetMap> {
    return await fetchCommitted(this.client, this.groupId, [...this.assignment.keys()])
  }

  async leave (): Promise<void> {
    this.stopHeartbeat()
    if (this.memberId === '') return
    const c = await this.coordinator()
    const v = c.version(API.LeaveGroup, 'leave a consumer group')
    const res = await c.request(API.LeaveGroup, v >= 3
      ? { groupId: this.groupId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'the samsa consumer is closing' }] }
      : { groupId: this.groupId, memberId: this.memberId })
    if (res.errorCode !== 0 && res.errorCode !== E.UNKNOWN_MEMBER_ID) check(res.errorCode, `leave group ${this.groupId}`)
    this.memberId = ''
    this.generationId = -1
  }
}

// ---------------------------------------------------------------- offsets

/** OffsetCommit; generation -1 with an empty member id is the admin form, accepted for Empty groups. */
export async function commitOffsets (client: KafkaClient, groupId: string, offsets: OffsetMap, generationId = -1, memberId = '', conn?: Connection): Promise<void> {
  if (offsets.size === 0) return
  const c = conn ?? await client.coordinator(groupId)
  c.version(API.OffsetCommit, 'commit offsets')
  const ids = new Map<string, string>()
  for (const topic of offsets.keys()) ids.set(topic, (await client.topic(topic)).topicId)
  const res = await c.request<OffsetCommitResponse>(API.OffsetCommit, {
    groupId,
    generationIdOrMemberEpoch: generationId,
    memberId,
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [...offsets].map(([name, ps]) => ({
      name,
      topicId: ids.get(name),
      partitions: [...ps].map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: -1, committedMetadata: '' }))
    }))
  })
  for (const t of res.topics) {
    const name = t.name !== '' ? t.name : [...ids].find(([, id]) => id === t.topicId)?.[0] ?? t.topicId
    for (const p of t.partitions) check(p.errorCode, `commit offset of ${name}-${p.partitionIndex} for group ${groupId}`)
  }
}

/** Committed offsets of a group; `topics` null asks for every topic the group has offsets for. */
export async function fetchCommitted (client: KafkaClient, groupId: string, topics: string[] | null): Promise<OffsetMap> {
  const c = await client.coordinator(groupId)
  const v = c.version(API.OffsetFetch, 'fetch committed offsets')
  if (v < 2 && topics === null) throw new KafkaError(35, 'OffsetFetch', 'the broker cannot list all committed offsets of a group (OffsetFetch v2+)')
  const parts = topics === null ? null : await Promise.all(topics.map(async name => { const t = await client.topic(name); return { name, topicId: t.topicId, partitionIndexes: [...t.partitions.keys()] } }))
  // v8 moved the single group into a list of groups.
  const res = await c.request<OffsetFetchResponse>(API.OffsetFetch, v >= 8
    ? { groups: [{ groupId, memberId: null, memberEpoch: -1, topics: parts }] }
    : { groupId, topics: parts === null ? null : parts.map(p => ({ name: p.name, partitionIndexes: p.partitionIndexes })) })
  const out: OffsetMap = new Map()
  const add = (name: string, partition: number, offset: bigint, code: number): void => {
    check(code, `fetch committed offset of ${name}-${partition} for group ${groupId}`)
    if (offset < 0n) return
    const m = out.get(name) ?? new Map<number, bigint>()
    m.set(partition, offset)
    out.set(name, m)
  }
  if (v >= 8) {
    const g = res.groups.find(x => x.groupId === groupId) ?? res.groups[0]
    if (g === undefined) return out
    check(g.errorCode, `fetch committed offsets of group ${groupId}`)
    for (const t of g.topics) {
      const name = t.name !== '' ? t.name : await topicNameById(client, t.topicId)
      for (const p of t.partitions) add(name, p.partitionIndex, p.committedOffset, p.errorCode)
    }
  } else {
    check(res.errorCode, `fetch committed offsets of group ${groupId}`)
    for (const t of res.topics) for (const p of t.partitions) add(t.name, p.partitionIndex, p.committedOffset, p.errorCode)
  }
  return out
}

async function topicNameById (client: KafkaClient, topicId: string): Promise<string> {
  for (const t of client.topics.values()) if (t.topicId === topicId) return t.name
  await client.metadata(null)
  for (const t of client.topics.values()) if (t.topicId === topicId) return t.name
  return topicId
}

// ---------------------------------------------------------------- administration

export interface GroupListing { groupId: string, protocolType: string, state: string, type: string }

/** Groups live on their coordinators, so every broker is asked and the answers merged. */
export async function listGroups (client: KafkaClient): Promise<GroupListing[]> {
  await client.metadata([])
  const seen = new Map<string, GroupListing>()
  for (const nodeId of client.nodes.keys()) {
    const c = await client.node(nodeId)
    c.version(API.ListGroups, 'list groups')
    const res = await c.request<ListGroupsResponse>(API.ListGroups, { statesFilter: [], typesFilter: [] })
    check(res.errorCode, `list groups on broker ${nodeId}`)
    for (const g of res.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, state: g.groupState, type: g.groupType })
  }
  return [...seen.values()].sort((a, b) => a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0)
}

export interface GroupMemberInfo { memberId: string, groupInstanceId: string | null, clientId: string, clientHost: string, assignment: Assignment }

export interface GroupDescription {
  groupId: string
  state: string
  protocolType: string
  protocol: string
  members: GroupMemberInfo[]
}

/**
 * DescribeGroups answers for classic groups; a KIP-848 consumer group is GROUP_ID_NOT_FOUND there ("not a
 * classic group"), so that answer is followed by ConsumerGroupDescribe, as Kafka's admin client does.
 */
export async function describeGroup (client: KafkaClient, groupId: string): Promise<GroupDescription> {
  const c = await client.coordinator(groupId)
  c.version(API.DescribeGroups, 'describe groups')
  const res = await c.request<DescribeGroupsResponse>(API.DescribeGroups, { groups: [groupId], includeAuthorizedOperations: false })
  const g = res.groups.find(x => x.groupId === groupId) ?? res.groups[0]
  if (g === undefined) throw new KafkaError(-1, `describe group ${groupId}`, 'the broker returned no result')
  if (g.errorCode === E.GROUP_ID_NOT_FOUND && c.supports(API.ConsumerGroupDescribe)) {
    const described = await describeConsumerGroup(c, groupId)
    if (described !== null) return described
  }
  check(g.errorCode, `describe group ${groupId}`, g.errorMessage)
  return {
    groupId,
    state: g.groupState,
    protocolType: g.protocolType,
    protocol: g.protocolData,
    members: g.members.map(m => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: g.protocolType === 'consumer' ? safeAssignment(m.memberAssignment) : new Map()
    }))
  }
}

/** A KIP-848 group, or null when the coordinator has no such consumer group either. */
async function describeConsumerGroup (c: Awaited<ReturnType<KafkaClient['coordinator']>>, groupId: string): Promise<GroupDescription | null> {
  const res = await c.request<ConsumerGroupDescribeResponse>(API.ConsumerGroupDescribe, { groupIds: [groupId], includeAuthorizedOperations: false })
  const g = res.groups.find(x => x.groupId === groupId) ?? res.groups[0]
  if (g === undefined || g.errorCode === E.GROUP_ID_NOT_FOUND) return null
  check(g.errorCode, `describe consumer group ${groupId}`, g.errorMessage)
  return {
    groupId,
    state: g.groupState,
    protocolType: 'consumer',
    protocol: g.assignorName,
    members: g.members.map(m => ({
      memberId: m.memberId,
      groupInstanceId: m.instanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      assignment: new Map(m.assignment.topicPartitions.map(tp => [tp.topicName, [...tp.partitions].sort((a, b) => a - b)]))
    }))
  }
}

function safeAssignment (buf: Buffer): Assignment {
  try {
    return decodeAssignment(buf)
  } catch {
    return new Map()
  }
}

export async function deleteGroup (client: KafkaClient, groupId: string): Promise<void> {
  const c = await client.coordinator(groupId)
  c.version(API.DeleteGroups, 'delete groups')
  const res = await c.request<DeleteGroupsResponse>(API.DeleteGroups, { groupsNames: [groupId] })
  const r = res.results.find(x => x.groupId === groupId) ?? res.results[0]
  if (r === undefined) throw new KafkaError(-1, `delete group ${groupId}`, 'the broker returned no result')
  check(r.errorCode, `delete group ${groupId}`)
}

export interface PartitionLag { topic: string, partition: number, committed: bigint | null, end: bigint, lag: bigint | null }

/** Committed offsets against the log end offsets, for every partition of the group's topics. */
export async function groupLag (client: KafkaClient, groupId: string, committed: OffsetMap, extraTopics: string[] = []): Promise<PartitionLag[]> {
  const out: PartitionLag[] = []
  for (const topic of [...new Set([...committed.keys(), ...extraTopics])].sort()) {
    const meta = await client.topic(topic)
    const parts = [...meta.partitions.keys()].sort((a, b) => a - b)
    const ends = await listOffsets(client, topic, parts, -1n)
    for (const p of parts) {
      const c = committed.get(topic)?.get(p) ?? null
      const end = ends.get(p)!
      out.push({ topic, partition: p, committed: c, end, lag: c === null ? null : (end - c > 0n ? end - c : 0n) })
    }
  }
  return out
}

export class GroupNotInactiveError extends Error {
  override name = 'GroupNotInactiveError'
  constructor (readonly groupId: string, readonly state: string) {
    super(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${state}.`)
  }
}

/**
 * kafka-consumer-groups --reset-offsets: only for a group with no members (Empty, or Dead: not existing
 * yet); targets are clamped to each partition's current range. Returns the offsets committed.
 */
export async function resetGroupOffsets (client: KafkaClient, groupId: string, topics: string[], to: StartSpec): Promise<OffsetMap> {
  let state = 'Dead'
  try {
    state = (await describeGroup(client, groupId)).state
  } catch (err) {
    if (!(err instanceof KafkaError) || err.code !== E.GROUP_ID_NOT_FOUND) throw err
  }
  if (state !== 'Empty' && state !== 'Dead') throw new GroupNotInactiveError(groupId, state)
  const offsets: OffsetMap = new Map()
  for (const topic of topics) {
    const meta = await client.topic(topic)
    offsets.set(topic, await resolveStart(client, topic, [...meta.partitions.keys()].sort((a, b) => a - b), to))
  }
  await commitOffsets(client, groupId, offsets)
  return offsets
}
