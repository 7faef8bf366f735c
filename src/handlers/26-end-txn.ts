// EndTxn (key 26), versions 0–5.
//
// Behaviour: commits or aborts the producer's Ongoing transaction: PrepareCommit/PrepareAbort is written
// to __transaction_state and answered; the markers and Complete* follow (CONCURRENT_TRANSACTIONS to the
// producer until then). A retried EndTxn of a completed transaction with the same result answers NONE;
// the other result, or no transaction (Empty), INVALID_TXN_STATE. A stale epoch is PRODUCER_FENCED.
// v5 is transactions v2 (KIP-890): the epoch is bumped by every commit and abort and answered with the
// producer id, an abort with nothing added is accepted, and a retry is the epoch one below the answer.
import { EndTxnSpec, type EndTxnRequest, type EndTxnResponse } from '../wire/generated/end-txn.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const endTxnHandler: Handler = {
  apiKey: 26,
  spec: EndTxnSpec,
  minVersion: 0,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: EndTxnRequest): Promise<Init<EndTxnResponse>> {
    const r = await ctx.broker.transactions.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed, ctx.apiVersion > 4 ? 2 : 0)
    return { throttleTimeMs: 0, errorCode: r.errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch }
  }
}
