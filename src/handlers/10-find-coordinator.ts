// FindCoordinator (key 10), versions 0–6.
//
// Behaviour: key type 0 (GROUP) answers this broker for every group, the leader of its __consumer_offsets
// partition. The first group lookup creates __consumer_offsets (offsets.topic.num.partitions,
// offsets.topic.replication.factor, compacted, offsets.topic.segment.bytes) and answers once it exists,
// where Kafka answers COORDINATOR_NOT_AVAILABLE while its controller creates it and the client retries.
// v0–3 look up one key (v0 has no key type); v4+ a batch of CoordinatorKeys, each answered on its own.
// Key type 1 (TRANSACTION) answers this broker too, creating __transaction_state
// (transaction.state.log.num.partitions, compacted) on first use the same way.
// Key type 2 (SHARE) gets INVALID_REQUEST, Kafka's answer for a coordinator type the broker does not run,
// never a coordinator: COORDINATOR_NOT_AVAILABLE would have clients retry forever for nothing.
// Gaps: no share coordinator.
import { FindCoordinatorSpec, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../wire/generated/find-coordinator.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

const GROUP = 0
const TRANSACTION = 1
const SHARE = 2

interface Lookup { nodeId: number, host: string, port: number, errorCode: number, errorMessage: string | null }

async function lookup (ctx: RequestContext, keyType: number): Promise<Lookup> {
  const broker = ctx.broker
  const none = (errorCode: number, errorMessage: string): Lookup => ({ nodeId: -1, host: '', port: -1, errorCode, errorMessage })
  if (keyType === SHARE) return none(ErrorCode.INVALID_REQUEST, 'This broker has no share coordinator.')
  if (keyType !== GROUP && keyType !== TRANSACTION) return none(ErrorCode.INVALID_REQUEST, `Unknown coordinator type received: ${keyType}`)
  if (broker.shuttingDown) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The broker is shutting down.')
  try {
    if (keyType === TRANSACTION) await broker.transactions.ensureTopic()
    else await broker.groups.ensureOffsetsTopic()
  } catch (err) {
    ctx.log.error({ err }, keyType === TRANSACTION ? 'could not create __transaction_state' : 'could not create __consumer_offsets')
    return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'The coordinator is not available.')
  }
  return { nodeId: broker.nodeId, host: broker.advertisedHost, port: broker.advertisedPort, errorCode: ErrorCode.NONE, errorMessage: null }
}

export const findCoordinatorHandler: Handler = {
  apiKey: 10,
  spec: FindCoordinatorSpec,
  minVersion: 0,
  maxVersion: 6,
  async handle (ctx: RequestContext, req: FindCoordinatorRequest): Promise<Init<FindCoordinatorResponse>> {
    const v = ctx.apiVersion
    if (v >= 4) {
      const coordinators = []
      for (const key of req.coordinatorKeys) coordinators.push({ key, ...await lookup(ctx, req.keyType) })
      return { throttleTimeMs: 0, coordinators }
    }
    const r = await lookup(ctx, v >= 1 ? req.keyType : GROUP)
    return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: v >= 1 ? r.errorMessage : null, nodeId: r.nodeId, host: r.host, port: r.port }
  }
}
