// TxnOffsetCommit (key 28), versions 0–5.
//
// Behaviour: the group coordinator checks the member (v3+ carries generation, member id and group
// instance id; ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID), the transaction coordinator
// that the group's partition was added with AddOffsetsToTxn (INVALID_TXN_STATE otherwise,
// INVALID_PRODUCER_EPOCH when fenced); the offsets are written as a transactional batch and become
// visible to OffsetFetch only when the transaction commits (OffsetFetch with RequireStable answers
// UNSTABLE_OFFSET_COMMIT meanwhile). OFFSET_METADATA_TOO_LARGE per partition. v5 (transactions v2):
// the group's partition is added to the transaction by the request itself (no AddOffsetsToTxn).
import { TxnOffsetCommitSpec, type TxnOffsetCommitRequest, type TxnOffsetCommitResponse } from '../wire/generated/txn-offset-commit.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { commitTxnOffsets } from '../coordinator/transaction-offsets.js'

export const txnOffsetCommitHandler: Handler = {
  apiKey: 28,
  spec: TxnOffsetCommitSpec,
  minVersion: 0,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: TxnOffsetCommitRequest): Promise<Init<TxnOffsetCommitResponse>> {
    const broker = ctx.broker
    const v = ctx.apiVersion
    const entries = req.topics.flatMap(t => t.partitions.map(p => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: v >= 2 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata })))
    const codes = await commitTxnOffsets(broker, broker.groups, broker.groups.txnOffsets, {
      transactionalId: req.transactionalId,
      groupId: req.groupId,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
      generationId: v >= 3 ? req.generationId : -1,
      memberId: v >= 3 ? req.memberId : '',
      groupInstanceId: v >= 3 ? req.groupInstanceId : null,
      entries,
      addPartition: v >= 5
    })
    let i = 0
    return { throttleTimeMs: 0, topics: req.topics.map(t => ({ name: t.name, partitions: t.partitions.map(p => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })) })) }
  }
}
