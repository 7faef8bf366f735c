// DescribeConfigs (key 32), versions 1–4.
//
// Behaviour: TOPIC resources list every topic config with its effective value and source (an override
// is DYNAMIC_TOPIC_CONFIG, else the source of its broker synonym chain, else DEFAULT_CONFIG); BROKER
// "<node id>" lists every broker config with per-broker > cluster-default > static > default layering and
// read-only flags; BROKER "" lists only the dynamic cluster defaults; BROKER_LOGGER "<node id>" lists
// samsa's root logger and its level; GROUP "<group id>" lists the KIP-848 group configs
// (consumer.session.timeout.ms, consumer.heartbeat.interval.ms), GROUP_CONFIG when the group sets one, else
// the broker's group.consumer.* value as DEFAULT_CONFIG; CLIENT_METRICS "<subscription>" lists every
// client-metrics config (interval.ms, match, metrics), CLIENT_METRICS_CONFIG when set, else its default as
// DEFAULT_CONFIG — known subscription or not, as ConfigHelper describes a ClientMetricsConfigs.
// includeSynonyms adds the chain in Kafka's order (dynamic broker,
// dynamic default, static, default; entries before the config's own name dropped), v3+ adds configType
// and, with includeDocumentation, a one-line description. configurationKeys filters (unknown keys are
// simply absent; null or an empty list means all, as ConfigHelperUtils filters). Broker ids parse as
// Integer.parseInt does (no spaces). Errors per resource: unknown topic UNKNOWN_TOPIC_OR_PARTITION with no
// message, illegal topic name
// INVALID_TOPIC_EXCEPTION, a broker name that is not this node or "" INVALID_REQUEST, an empty group or
// subscription name INVALID_REQUEST; a resource type Kafka does not know fails every resource with
// INVALID_REQUEST.
// Gaps: no share.* or streams.* group configs (samsa has no share or streams groups); client-metrics
// subscriptions are stored but telemetry push is not implemented (GetTelemetrySubscriptions and
// PushTelemetry stay unadvertised); no authorization; password configs (none yet) would be reported null.
import { DescribeConfigsSpec, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../wire/generated/describe-configs.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { describeConfigs } from '../broker/config-admin.js'

export const describeConfigsHandler: Handler = {
  apiKey: 32,
  spec: DescribeConfigsSpec,
  minVersion: 1,
  maxVersion: 4,
  handle (ctx: RequestContext, req: DescribeConfigsRequest): Init<DescribeConfigsResponse> {
    const docs = ctx.apiVersion >= 3 && req.includeDocumentation
    return { throttleTimeMs: 0, results: describeConfigs(ctx.broker, req.resources, req.includeSynonyms, docs) }
  }
}
