// Request shorthands for the group APIs over RawClient, shared by the coordinator and handler tests.
import type { RawClient } from '../helpers/raw-client.js'

export const GROUP_API = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
  OffsetDelete: 47
} as const

/** A consumer-protocol subscription (ConsumerProtocolSubscription v0: version, topics, user data). */
export function subscription (topics: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0]), int32(topics.length)]
  for (const t of topics) { const b = Buffer.from(t); parts.push(Buffer.from([b.length >> 8, b.length & 0xff]), b) }
  parts.push(int32(-1))
  return Buffer.concat(parts)
}

function int32 (n: number): Buffer { const b = Buffer.alloc(4); b.writeInt32BE(n); return b }

export async function findCoordinator (c: RawClient, groupId: string, version = 3): Promise<any> {
  if (version >= 4) return await c.request(GROUP_API.FindCoordinator, version, { keyType: 0, coordinatorKeys: [groupId] })
  return await c.request(GROUP_API.FindCoordinator, version, { key: groupId, keyType: 0 })
}

export interface JoinOpts { memberId?: string, groupInstanceId?: string | null, sessionTimeoutMs?: number, rebalanceTimeoutMs?: number, protocols?: { name: string, metadata: Buffer }[], protocolType?: string, version?: number }

export function joinBody (groupId: string, o: JoinOpts = {}): object {
  return {
    groupId,
    sessionTimeoutMs: o.sessionTimeoutMs ?? 10000,
    rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10000,
    memberId: o.memberId ?? '',
    groupInstanceId: o.groupInstanceId ?? null,
    protocolType: o.protocolType ?? 'consumer',
    protocols: o.protocols ?? [{ name: 'range', metadata: subscription(['t']) }],
    reason: null
  }
}

export async function joinGroup (c: RawClient, groupId: string, o: JoinOpts = {}): Promise<any> {
  return await c.request(GROUP_API.JoinGroup, o.version ?? 9, joinBody(groupId, o))
}

/** JoinGroup through MEMBER_ID_REQUIRED, as a v4+ client does. */
export async function joinWithId (c: RawClient, groupId: string, o: JoinOpts = {}): Promise<any> {
  const first = await joinGroup(c, groupId, o)
  if (first.errorCode !== 79) return first
  return await joinGroup(c, groupId, { ...o, memberId: first.memberId })
}

export async function syncGroup (c: RawClient, groupId: string, generationId: number, memberId: string, assignments: { memberId: string, assignment: Buffer }[] = [], version = 5, extra: object = {}): Promise<any> {
  return await c.request(GROUP_API.SyncGroup, version, { groupId, generationId, memberId, groupInstanceId: null, protocolType: version >= 5 ? 'consumer' : null, protocolName: version >= 5 ? 'range' : null, assignments, ...extra })
}

export async function commit (c: RawClient, groupId: string, topic: string, partitions: { partitionIndex: number, committedOffset: bigint, committedLeaderEpoch?: number, committedMetadata?: string | null }[], o: { version?: number, generationId?: number, memberId?: string, topicId?: string } = {}): Promise<any> {
  const version = o.version ?? 9
  return await c.request(GROUP_API.OffsetCommit, version, {
    groupId,
    generationIdOrMemberEpoch: o.generationId ?? -1,
    memberId: o.memberId ?? '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: version >= 10 ? '' : topic, topicId: version >= 10 ? o.topicId : undefined, partitions: partitions.map(p => ({ committedLeaderEpoch: -1, committedMetadata: '', ...p })) }]
  })
}

export async function fetchOffsets (c: RawClient, groupId: string, topics: { name: string, partitionIndexes: number[] }[] | null, version = 7): Promise<any> {
  if (version >= 8) return await c.request(GROUP_API.OffsetFetch, version, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable: false })
  return await c.request(GROUP_API.OffsetFetch, version, { groupId, topics, requireStable: false })
}
