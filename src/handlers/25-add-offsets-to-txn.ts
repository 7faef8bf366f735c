// AddOffsetsToTxn (key 25), versions 0–4.
//
// Behaviour: adds the group's __consumer_offsets partition to the producer's transaction, with the
// coordinator's checks and errors (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS,
// NOT_COORDINATOR); the offsets themselves arrive with TxnOffsetCommit at the group coordinator.
import { AddOffsetsToTxnSpec, type AddOffsetsToTxnRequest, type AddOffsetsToTxnResponse } from '../wire/generated/add-offsets-to-txn.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const addOffsetsToTxnHandler: Handler = {
  apiKey: 25,
  spec: AddOffsetsToTxnSpec,
  minVersion: 0,
  maxVersion: 4,
  async handle (ctx: RequestContext, req: AddOffsetsToTxnRequest): Promise<Init<AddOffsetsToTxnResponse>> {
    const errorCode = await ctx.broker.transactions.addOffsets(req.transactionalId, req.producerId, req.producerEpoch, req.groupId)
    return { throttleTimeMs: 0, errorCode }
  }
}
