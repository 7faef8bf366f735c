// Transactional offset commits (TxnOffsetCommit), as Kafka's group coordinator keeps them: the offsets
// are written at once to the group's __consumer_offsets partition as a transactional batch of the
// producer, held as pending, and become committed offsets only when the transaction coordinator's commit
// marker reaches that partition (an abort marker drops them). Loading the partition replays the same
// way: transactional records wait for their marker, so an aborted commit never becomes visible.
import { ErrorCode } from '../wire/generated/errors.js'
import { encodeBatch } from '../wire/records.js'
import { offsetCommitRecord, decodeCoordinatorRecord, type CoordinatorRecord } from './records.js'
import { ClassicGroup } from './classic-group.js'
import type { GroupCoordinator } from './group-coordinator.js'
import type { Broker } from '../broker/broker.js'
import type { TxnScanHooks } from './coordinator-log.js'

const NO_BYTES = Buffer.alloc(0)
const OFFSETS_TOPIC = '__consumer_offsets'

export interface TxnCommitEntry { topic: string, partition: number, offset: bigint, leaderEpoch: number, metadata: string | null }

export interface TxnCommitRequest {
  transactionalId: string
  groupId: string
  producerId: bigint
  producerEpoch: number
  generationId: number
  memberId: string
  groupInstanceId: string | null
  entries: TxnCommitEntry[]
  /** TxnOffsetCommit v5+ (transactions v2): the group's partition is added to the transaction here, not by AddOffsetsToTxn. */
  addPartition?: boolean
}

function pendingKey (group: string, topic: string, partition: number): string {
  return `${group.length}:${group}${topic.length}:${topic}${partition}`
}

export class TxnOffsetStore {
  /** __consumer_offsets partition -> producer id -> records waiting for the marker, in write order. */
  private readonly pending = new Map<number, Map<bigint, CoordinatorRecord[]>>()
  /** How many pending records name each group/topic/partition (requireStable). */
  private readonly counts = new Map<string, number>()

  /** `apply` replays a committed record into the group coordinator's state, exactly as loading does. */
  constructor (private readonly apply: (key: Buffer, value: Buffer | null) => void) {}

  add (offsetsPartition: number, producerId: bigint, records: CoordinatorRecord[]): void {
    let byProducer = this.pending.get(offsetsPartition)
    if (byProducer === undefined) this.pending.set(offsetsPartition, byProducer = new Map())
    let list = byProducer.get(producerId)
    if (list === undefined) byProducer.set(producerId, list = [])
    for (const r of records) {
      list.push(r)
      const k = this.keyOf(r)
      if (k !== null) this.counts.set(k, (this.counts.get(k) ?? 0) + 1)
    }
  }

  private keyOf (r: CoordinatorRecord): string | null {
    try {
      const d = decodeCoordinatorRecord(r.key, null)
      return d.type === 'offset' ? pendingKey(d.group, d.topic, d.partition) : null
    } catch {
      return null
    }
  }

  /** The marker reached the partition: the producer's pending records are applied (commit) or dropped. */
  complete (offsetsPartition: number, producerId: bigint, commit: boolean): void {
    const byProducer = this.pending.get(offsetsPartition)
    const list = byProducer?.get(producerId)
    if (list === undefined) return
    byProducer!.delete(producerId)
    for (const r of list) {
      const k = this.keyOf(r)
      if (k !== null) {
        const n = (this.counts.get(k) ?? 1) - 1
        if (n <= 0) this.counts.delete(k)
        else this.counts.set(k, n)
      }
      if (commit) this.apply(r.key, r.value)
    }
  }

  hasPending (group: string, topic: string, partition: number): boolean {
    return this.counts.has(pendingKey(group, topic, partition))
  }

  /** What a load of `offsetsPartition` does with transactional batches and markers. */
  hooks (offsetsPartition: number): TxnScanHooks {
    return {
      data: (producerId, key, value) => { if (key !== null) this.add(offsetsPartition, producerId, [{ key, value }]) },
      marker: (producerId, commit) => { this.complete(offsetsPartition, producerId, commit) }
    }
  }
}

/** ClassicGroup.validateOffsetCommit with isTransactional = true. */
function validateTxnCommit (g: ClassicGroup, req: TxnCommitRequest): number | null {
  if (g.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE
  if (req.generationId < 0 && g.is('Empty')) return null
  if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
    if (req.groupInstanceId !== null) {
      const existing = g.staticMembers.get(req.groupInstanceId)
      if (existing === undefined) return ErrorCode.UNKNOWN_MEMBER_ID
      if (existing !== req.memberId) return ErrorCode.FENCED_INSTANCE_ID
    }
    if (!g.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID
    if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION
  }
  return null
}

/**
 * TxnOffsetCommit: validates the group membership, checks with the transaction coordinator that the
 * group's partition is part of the transaction (AddOffsetsToTxn came first), writes the offsets as a
 * transactional batch and holds them pending. Resolves to one error code per entry.
 */
export async function commitTxnOffsets (broker: Broker, groups: GroupCoordinator, store: TxnOffsetStore, req: TxnCommitRequest): Promise<number[]> {
  const all = (code: number): number[] => req.entries.map(() => code)
  const unavailable = groups.availability(req.groupId)
  if (unavailable !== null) return all(unavailable)
  let g = groups.groups.get(req.groupId)
  if (g === undefined) {
    if (req.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION)
    g = new ClassicGroup(req.groupId, 'Empty')
  }
  const invalid = validateTxnCommit(g, req)
  if (invalid !== null) return all(invalid)
  const index = groups.partitionFor(req.groupId)
  if (req.addPartition === true) {
    const added = await broker.transactions.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [{ topic: OFFSETS_TOPIC, partition: index }], 2)
    if (added !== ErrorCode.NONE) return all(added === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : added)
  }
  const txnCode = broker.transactions.verifyWrite(req.transactionalId, req.producerId, req.producerEpoch, OFFSETS_TOPIC, index)
  if (txnCode !== ErrorCode.NONE) return all(txnCode === ErrorCode.PRODUCER_FENCED ? ErrorCode.INVALID_PRODUCER_EPOCH : txnCode)
  const p = broker.partition(OFFSETS_TOPIC, index)
  if (p === undefined) return all(ErrorCode.NOT_COORDINATOR)
  const now = Date.now()
  const errors = req.entries.map(e => (e.metadata !== null && e.metadata.length > groups.config.offsetMetadataMaxBytes) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : ErrorCode.NONE)
  const records: CoordinatorRecord[] = []
  req.entries.forEach((e, i) => {
    if (errors[i] !== ErrorCode.NONE) return
    records.push(offsetCommitRecord(req.groupId, e.topic, e.partition, { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata: e.metadata ?? '', commitTimestamp: BigInt(now), expireTimestamp: -1n }))
  })
  if (records.length === 0) return errors
  const outcome = await p.append(NO_BYTES, undefined, async () => await encodeBatch({
    records: records.map(r => ({ key: r.key, value: r.value })),
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    baseSequence: -1,
    isTransactional: true
  }))
  if ('errorCode' in outcome) return errors.map(x => x === ErrorCode.NONE ? ErrorCode.NOT_COORDINATOR : x)
  store.add(index, req.producerId, records)
  return errors
}

interface FetchedPartitionLike { partitionIndex: number, committedOffset?: bigint, errorCode?: number }
interface FetchedTopicLike { name?: string, topicId?: string, partitions?: FetchedPartitionLike[] }
interface OffsetFetchLike { topics?: FetchedTopicLike[], groups?: { groupId?: string, topics?: FetchedTopicLike[] }[] }

/**
 * OffsetFetch with RequireStable (v7+): a partition with a transactional commit still pending answers
 * UNSTABLE_OFFSET_COMMIT (and offset -1) instead of the last committed offset, as Kafka does.
 */
export function markUnstableOffsets (store: TxnOffsetStore, topicName: (t: FetchedTopicLike) => string | undefined, groupId: string | undefined, res: OffsetFetchLike): void {
  const mark = (group: string, topics: FetchedTopicLike[] | undefined): void => {
    for (const t of topics ?? []) {
      const name = topicName(t)
      if (name === undefined) continue
      for (const p of t.partitions ?? []) {
        if ((p.errorCode ?? 0) === ErrorCode.NONE && store.hasPending(group, name, p.partitionIndex)) {
          p.errorCode = ErrorCode.UNSTABLE_OFFSET_COMMIT
          p.committedOffset = -1n
        }
      }
    }
  }
  if (res.groups !== undefined) for (const g of res.groups) mark(g.groupId ?? '', g.topics)
  else if (groupId !== undefined) mark(groupId, res.topics)
}
