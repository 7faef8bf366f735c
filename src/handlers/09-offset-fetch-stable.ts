// RequireStable for OffsetFetch (v7+): wraps the OffsetFetch handler so partitions whose transactional
// offset commit is still pending answer UNSTABLE_OFFSET_COMMIT (Kafka's behaviour), keeping the
// transaction-offset logic out of the plain OffsetFetch handler.
import type { Handler, HandlerResult } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { OffsetFetchRequest } from '../wire/generated/offset-fetch.js'
import { markUnstableOffsets } from '../coordinator/transaction-offsets.js'

export function withStableOffsets (inner: Handler): Handler {
  return {
    ...inner,
    async handle (ctx: RequestContext, req: OffsetFetchRequest): Promise<HandlerResult> {
      const res = await inner.handle(ctx, req) as HandlerResult
      if (ctx.apiVersion < 7 || !req.requireStable || typeof res !== 'object' || res === null) return res
      const image = ctx.broker.metadata.image
      markUnstableOffsets(ctx.broker.groups.txnOffsets, t => t.name ?? (t.topicId === undefined ? undefined : image.topicsById.get(t.topicId)?.name), req.groupId, res as object)
      return res
    }
  }
}
