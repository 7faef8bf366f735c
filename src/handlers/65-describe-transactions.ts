// DescribeTransactions (key 65), version 0.
//
// Behaviour: each transactional id's state (Kafka's state names), timeout, start time (-1 when no
// transaction is open), producer id and epoch, and the partitions of the open transaction;
// TRANSACTIONAL_ID_NOT_FOUND for an unknown id, NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS per id.
import { DescribeTransactionsSpec, type DescribeTransactionsRequest, type DescribeTransactionsResponse } from '../wire/generated/describe-transactions.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const describeTransactionsHandler: Handler = {
  apiKey: 65,
  spec: DescribeTransactionsSpec,
  minVersion: 0,
  maxVersion: 0,
  handle (ctx: RequestContext, req: DescribeTransactionsRequest): Init<DescribeTransactionsResponse> {
    return { throttleTimeMs: 0, transactionStates: req.transactionalIds.map(id => ctx.broker.transactions.describe(id)) }
  }
}
