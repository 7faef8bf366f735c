// ListTransactions (key 66), versions 0–2.
//
// Behaviour: the transactional ids this coordinator owns, filtered by state names (unknown names are
// echoed in UnknownStateFilters and match nothing), producer ids, v1+ DurationFilter (transactions open
// at least that many ms) and v2 TransactionalIdPattern (a regular expression matched against the whole
// id; INVALID_REGULAR_EXPRESSION when it does not compile). COORDINATOR_LOAD_IN_PROGRESS while
// __transaction_state partitions load.
import { ListTransactionsSpec, type ListTransactionsRequest, type ListTransactionsResponse } from '../wire/generated/list-transactions.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { TXN_STATE_NAMES } from '../coordinator/transaction-metadata.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

const KNOWN_STATES = new Set(Object.values(TXN_STATE_NAMES))

export const listTransactionsHandler: Handler = {
  apiKey: 66,
  spec: ListTransactionsSpec,
  minVersion: 0,
  maxVersion: 2,
  handle (ctx: RequestContext, req: ListTransactionsRequest): Init<ListTransactionsResponse> {
    const txns = ctx.broker.transactions
    const v = ctx.apiVersion
    const empty = (errorCode: number): Init<ListTransactionsResponse> => ({ throttleTimeMs: 0, errorCode, unknownStateFilters: [], transactionStates: [] })
    let pattern: RegExp | null = null
    if (v >= 2 && req.transactionalIdPattern !== null && req.transactionalIdPattern !== '') {
      try {
        pattern = new RegExp(`^(?:${req.transactionalIdPattern})$`, 'u')
      } catch {
        return empty(ErrorCode.INVALID_REGULAR_EXPRESSION)
      }
    }
    if (txns.isLoading) return empty(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
    const unknownStateFilters = req.stateFilters.filter(s => !KNOWN_STATES.has(s))
    const states = req.stateFilters.filter(s => KNOWN_STATES.has(s))
    // Only unknown state names given: nothing can match.
    const listed = req.stateFilters.length > 0 && states.length === 0
      ? []
      : txns.list(states, req.producerIdFilters, v >= 1 ? req.durationFilter : -1n)
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      unknownStateFilters,
      transactionStates: listed.filter(t => pattern === null || pattern.test(t.transactionalId))
    }
  }
}
