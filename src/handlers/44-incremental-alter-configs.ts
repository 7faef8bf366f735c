// IncrementalAlterConfigs (key 44), versions 0–1.
//
// Behaviour: SET, DELETE, APPEND and SUBTRACT on single keys of a TOPIC or BROKER resource; APPEND and
// SUBTRACT only on LIST configs, computed as the controller does (from the default when unset; APPEND skips
// values already present). A topic's non-LIST key is INVALID_CONFIG "Can't APPEND to key k because its type
// is not LIST."; a broker's is the broker-side INVALID_CONFIG "Config value append is not allowed for config
// key: k", and an APPEND/SUBTRACT of a broker name Kafka does not define is UNKNOWN_SERVER_ERROR with no
// message (prepareIncrementalConfigs' Scala map lookup throws). The resulting set is
// validated (topics INVALID_CONFIG, brokers INVALID_REQUEST for static configs or bad values) and written
// as ConfigRecords, so it applies to the next request and survives a restart; validateOnly only checks.
// BROKER_LOGGER "<node id>" sets the root logger's level live (FATAL…TRACE); levels are not persisted,
// DELETE on root and APPEND/SUBTRACT are INVALID_REQUEST, as in Kafka, with RuntimeLoggerManager's texts
// (valid levels listed sorted; another node id answers "Unexpected node id. Expected N, but received N",
// N being this node twice, as that method prints it — seen in Kafka 3.7-era source; whether 4.3 fixed the
// second N was not confirmed). GROUP "<group id>" takes
// consumer.session.timeout.ms and consumer.heartbeat.interval.ms within the broker's group.consumer.min/max
// bounds (session above interval; else INVALID_CONFIG), used by that group's KIP-848 members from their
// next heartbeat. CLIENT_METRICS "<subscription>" takes metrics, interval.ms (100 ms–1 h) and match
// (param=regex); unknown names and a bad interval INVALID_REQUEST, a bad pattern INVALID_CONFIG.
// Gaps: no AlterConfigPolicy, no authorization; no share.*/streams.* group configs; subscriptions are
// stored but never pushed (GetTelemetrySubscriptions/PushTelemetry are not implemented or advertised).
import { IncrementalAlterConfigsSpec, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse } from '../wire/generated/incremental-alter-configs.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { incrementalAlterConfigs } from '../broker/config-admin.js'

export const incrementalAlterConfigsHandler: Handler = {
  apiKey: 44,
  spec: IncrementalAlterConfigsSpec,
  minVersion: 0,
  maxVersion: 1,
  async handle (ctx: RequestContext, req: IncrementalAlterConfigsRequest): Promise<Init<IncrementalAlterConfigsResponse>> {
    const responses = await incrementalAlterConfigs(ctx.broker, req.resources, req.validateOnly)
    if (!req.validateOnly) {
      for (const r of responses) if (r.errorCode === 0) ctx.log.info({ resourceType: r.resourceType, resourceName: r.resourceName }, 'configs altered')
    }
    return { throttleTimeMs: 0, responses }
  }
}
