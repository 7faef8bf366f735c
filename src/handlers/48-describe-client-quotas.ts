// DescribeClientQuotas (key 48), versions 0–1.
//
// Behaviour: KRaft's ClientQuotasImage.describe over the metadata image: each filter component matches an
// entity type exactly (a name), its default entity, or any entity of that type; strict requires the entity
// to have no other types. Entities with no quota left are not listed.
// Errors (whole request, entries null: ClientQuotasImage.describe throws and KafkaApis answers with
// DescribeClientQuotasRequest.getErrorResponse): an empty or repeated entity type, a match string where none
// belongs (or none for an exact match), an unknown match type and ip combined with user or client-id are
// INVALID_REQUEST; an entity type other than user, client-id and ip is UNSUPPORTED_VERSION. Messages are
// Kafka's (ClientQuotasImage's; the "Custom entity type ... not supported" text was the ZooKeeper-era
// ClientQuotaCache's and is gone). Strict with no components matches nothing.
// Gaps: no authorization (CLUSTER DESCRIBE_CONFIGS).
import { DescribeClientQuotasSpec, type DescribeClientQuotasRequest, type DescribeClientQuotasResponse } from '../wire/generated/describe-client-quotas.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { describeQuotas, QuotaError } from '../broker/quotas.js'

export const describeClientQuotasHandler: Handler = {
  apiKey: 48,
  spec: DescribeClientQuotasSpec,
  minVersion: 0,
  maxVersion: 1,
  handle (ctx: RequestContext, req: DescribeClientQuotasRequest): Init<DescribeClientQuotasResponse> {
    try {
      const entries = describeQuotas(ctx.broker.metadata.image, req.components, req.strict)
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries }
    } catch (e) {
      if (!(e instanceof QuotaError)) throw e
      return { throttleTimeMs: 0, errorCode: e.code, errorMessage: e.message, entries: null }
    }
  }
}
