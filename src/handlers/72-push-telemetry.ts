// PushTelemetry (key 72), version 0. Registered only when samsa.telemetry.dir is set (see 71).
//
// Behaviour (ClientMetricsManager.processPushTelemetryRequest): the zero or reserved id is INVALID_REQUEST;
// an id not in the instance cache gets an instance as GetTelemetrySubscriptions would create it, so a push
// only succeeds with the subscription id that set implies. Checks in Kafka's order: a push after one marked
// terminating is INVALID_REQUEST; a push within the interval of the last accepted one is
// THROTTLING_QUOTA_EXCEEDED, unless a GetTelemetrySubscriptions came since (clients jitter the interval) or
// it is itself terminating; a subscription id other than the instance's is UNKNOWN_SUBSCRIPTION_ID; a
// compression id outside 0–4 UNSUPPORTED_COMPRESSION_TYPE (any codec Kafka has is accepted, not only the
// advertised ones); a payload over telemetry.max.bytes TELEMETRY_TOO_LARGE. The terminating flag is recorded
// even when the push is refused. An accepted non-empty payload is decompressed (past telemetry.max.bytes:
// TELEMETRY_TOO_LARGE), decoded as OTLP MetricsData and appended as a JSON line to
// <samsa.telemetry.dir>/<clientInstanceId>.jsonl; a payload that does not decompress or decode is
// INVALID_RECORD, as Kafka answers any exporter failure.
// Gaps: Kafka hands the bytes to a plugin and leaves decoding to it; samsa is its own (JSON-lines) plugin.
import { PushTelemetrySpec, type PushTelemetryRequest, type PushTelemetryResponse } from '../wire/generated/push-telemetry.js'
import type { Init } from '../wire/types.js'
import { errorName } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Telemetry } from '../telemetry/telemetry.js'
import { clientInfo } from '../telemetry/client-info.js'

export function pushTelemetryHandler (telemetry: Telemetry): Handler {
  return {
    apiKey: 72,
    spec: PushTelemetrySpec,
    minVersion: 0,
    maxVersion: 0,
    async handle (ctx: RequestContext, req: PushTelemetryRequest): Promise<Init<PushTelemetryResponse>> {
      const errorCode = await telemetry.manager.push(req, clientInfo(ctx), telemetry.receiver.export)
      if (errorCode !== 0) ctx.log.debug({ clientInstanceId: req.clientInstanceId, error: errorName(errorCode) }, 'client telemetry push refused')
      return { throttleTimeMs: 0, errorCode }
    }
  }
}
