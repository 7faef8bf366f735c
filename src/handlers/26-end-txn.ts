// EndTxn (key 26), versions 0–4 (v5 means transactions v2, which is not offered).
//
// Behaviour: commits or aborts the producer's Ongoing transaction: PrepareCommit/PrepareAbort is written
// to __transaction_state and answered; the markers and Complete* follow (CONCURRENT_TRANSACTIONS to the
// producer until then). A retried EndTxn of a completed transaction with the same result answers NONE;
// the other result, or no transaction (Empty), INVALID_TXN_STATE. A stale epoch is PRODUCER_FENCED.
import { EndTxnSpec, type EndTxnRequest, type EndTxnResponse } from '../wire/generated/end-txn.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const endTxnHandler: Handler = {
  apiKey: 26,
  spec: EndTxnSpec,
  minVersion: 0,
  maxVersion: 4,
  async handle (ctx: RequestContext, req: EndTxnRequest): Promise<Init<EndTxnResponse>> {
    const errorCode = await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed)
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 }
  }
}
