// InitProducerId (key 22), versions 0–5 (v6, two-phase commit, is unstable in Kafka 4.x and not offered).
//
// Behaviour: without a transactional id, a fresh producer id with epoch 0 (ids come in blocks recorded in
// the metadata log, never reused). With one: the transaction coordinator's handleInitProducerId — the
// epoch is bumped (KIP-360: v3+ may name the current producer id and epoch to bump after a fatal error),
// an Ongoing transaction is aborted and its producer fenced (CONCURRENT_TRANSACTIONS: retry), a
// transaction being completed answers CONCURRENT_TRANSACTIONS, an exhausted epoch rotates the producer id.
// Errors: INVALID_TRANSACTION_TIMEOUT (<= 0 or above transaction.max.timeout.ms), PRODUCER_FENCED,
// NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS, INVALID_REQUEST for an empty transactional id.
import { InitProducerIdSpec, type InitProducerIdRequest, type InitProducerIdResponse } from '../wire/generated/init-producer-id.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const initProducerIdHandler: Handler = {
  apiKey: 22,
  spec: InitProducerIdSpec,
  minVersion: 0,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: InitProducerIdRequest): Promise<Init<InitProducerIdResponse>> {
    const expected = ctx.apiVersion >= 3 && req.producerId !== -1n ? { producerId: req.producerId, producerEpoch: req.producerEpoch } : null
    const r = await ctx.broker.transactions.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected)
    return { throttleTimeMs: 0, errorCode: r.errorCode, producerId: r.producerId, producerEpoch: r.producerEpoch }
  }
}
