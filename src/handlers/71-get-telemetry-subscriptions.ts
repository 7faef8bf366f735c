// GetTelemetrySubscriptions (key 71), version 0. Registered only when samsa.telemetry.dir is set: Kafka
// advertises the KIP-714 APIs only with a telemetry receiver/exporter plugin configured.
//
// Behaviour (ClientMetricsManager.processGetTelemetrySubscriptionRequest): the all-zero id gets a fresh
// client instance id; the instance's subscription set is computed when it is created (or re-created after
// any CLIENT_METRICS change) from every subscription whose match patterns all fully match the client
// (client_instance_id, client_id, client_software_name/version from ApiVersions v3+, source address and
// port): requested metrics are the union of their metrics ("*" anywhere collapses it to ["*"]; none match:
// empty), the push interval the least of theirs (300000 when none match), the subscription id Kafka's
// CRC-32C of that set and interval xor the instance id's hash. Accepted compression types are Kafka's
// [zstd, lz4, gzip, snappy], telemetryMaxBytes is telemetry.max.bytes, delta temporality is true.
// A second request within the push interval of the last GetTelemetrySubscriptions or accepted push is
// THROTTLING_QUOTA_EXCEEDED (with every other field at its default), unless the instance's last error was
// UNKNOWN_SUBSCRIPTION_ID or UNSUPPORTED_COMPRESSION_TYPE.
// Version emulation keeps both APIs for 4.x releases only: the 3.7–3.9 tables are ZooKeeper-mode brokers,
// which had no ClientMetricsManager and never advertised them.
// Gaps: client-metrics broker metrics (instance count, throttle rates) are not kept.
import { GetTelemetrySubscriptionsSpec, type GetTelemetrySubscriptionsRequest, type GetTelemetrySubscriptionsResponse } from '../wire/generated/get-telemetry-subscriptions.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Telemetry } from '../telemetry/telemetry.js'
import { clientInfo } from '../telemetry/client-info.js'

export function getTelemetrySubscriptionsHandler (telemetry: Telemetry): Handler {
  return {
    apiKey: 71,
    spec: GetTelemetrySubscriptionsSpec,
    minVersion: 0,
    maxVersion: 0,
    handle (ctx: RequestContext, req: GetTelemetrySubscriptionsRequest): Init<GetTelemetrySubscriptionsResponse> {
      return telemetry.manager.getSubscriptions(req.clientInstanceId, clientInfo(ctx))
    }
  }
}
