// ApiVersions (key 18), versions 0–4.
//
// Behaviour: lists exactly the handlers in the registry (so nothing unimplemented is advertised), with
// Produce advertised from v0 as Kafka 4.x does. v3+ reports supported and finalized features; the
// finalized-features epoch is the metadata log offset of the last applied record, as in KRaft. v3+ client
// software name/version are checked against Kafka's pattern (INVALID_REQUEST otherwise) and, when valid,
// kept on the connection as Kafka's SocketServer registers them (KIP-714 subscriptions match on them).
// An unsupported ApiVersions version never reaches here: the connection answers it at v0 with
// UNSUPPORTED_VERSION (KIP-511).
// Gaps: no throttling (throttle time 0).
import { ApiVersionsSpec, type ApiVersionsRequest, type ApiVersionsResponse } from '../wire/generated/api-versions.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler, HandlerRegistry } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { SUPPORTED_FEATURES } from '../broker/features.js'

const SOFTWARE_PATTERN = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/

export function apiVersionsHandler (registry: HandlerRegistry): Handler {
  return {
    apiKey: 18,
    spec: ApiVersionsSpec,
    minVersion: 0,
    maxVersion: 4,
    handle (ctx: RequestContext, req: ApiVersionsRequest): Init<ApiVersionsResponse> {
      const apiKeys = registry.advertised()
      if (ctx.apiVersion >= 3 && (!SOFTWARE_PATTERN.test(req.clientSoftwareName) || !SOFTWARE_PATTERN.test(req.clientSoftwareVersion))) {
        return { errorCode: ErrorCode.INVALID_REQUEST, apiKeys }
      }
      if (ctx.apiVersion >= 3) {
        ctx.connection.clientSoftwareName = req.clientSoftwareName
        ctx.connection.clientSoftwareVersion = req.clientSoftwareVersion
      }
      const image = ctx.broker.metadata.image
      return {
        errorCode: ErrorCode.NONE,
        apiKeys,
        throttleTimeMs: 0,
        supportedFeatures: SUPPORTED_FEATURES.map(f => ({ ...f })),
        finalizedFeaturesEpoch: image.lastOffset,
        finalizedFeatures: [...image.features].map(([name, level]) => ({ name, maxVersionLevel: level, minVersionLevel: level }))
      }
    }
  }
}
