// ListConfigResources (key 74), versions 0–1 (ListClientMetricsResources before Kafka 4.1).
//
// Behaviour: ListConfigResourcesRequest.supportedResourceTypes: v0 (no resourceTypes field) lists
// client-metrics subscriptions only; v1 lists the resource types asked for (each once, however often
// named), or all five when none are, in KafkaApis' order: GROUP (groups that have dynamic group configs,
// as GroupConfigManager knows them — KIP-1142 lists config resources, so a group with members but no
// configs is not listed; ListGroups finds those), CLIENT_METRICS (every subscription with configs),
// BROKER_LOGGER and BROKER (this node), TOPIC (every topic, internal ones included). Any type outside the
// version's set answers UNSUPPORTED_VERSION for the whole request with no resources.
// Evidence: ListConfigResourcesRequest.java (types per version); for GROUP, KAFKA-20111's and KIP-1298's
// descriptions of the RPC ("resources which have configurations"); KafkaApis' own loop was not in the
// searchable source.
// Subscriptions are sent to clients by GetTelemetrySubscriptions when samsa.telemetry.dir is set.
import { ListConfigResourcesSpec, type ListConfigResourcesRequest, type ListConfigResourcesResponse } from '../wire/generated/list-config-resources.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { TOPIC_RESOURCE, BROKER_RESOURCE } from '../metadata/image.js'
import { BROKER_LOGGER_RESOURCE, CLIENT_METRICS_RESOURCE, GROUP_RESOURCE } from '../broker/config-admin.js'

export const listConfigResourcesHandler: Handler = {
  apiKey: 74,
  spec: ListConfigResourcesSpec,
  minVersion: 0,
  maxVersion: 1,
  handle (ctx: RequestContext, req: ListConfigResourcesRequest): Init<ListConfigResourcesResponse> {
    const supported = ctx.apiVersion >= 1 ? [TOPIC_RESOURCE, BROKER_RESOURCE, BROKER_LOGGER_RESOURCE, CLIENT_METRICS_RESOURCE, GROUP_RESOURCE] : [CLIENT_METRICS_RESOURCE]
    const asked = ctx.apiVersion >= 1 && req.resourceTypes.length > 0 ? req.resourceTypes : supported
    if (asked.some(t => !supported.includes(t))) return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_VERSION, configResources: [] }
    const out: { resourceName: string, resourceType: number }[] = []
    const b = ctx.broker
    const withConfigs = (type: number): string[] => [...b.metadata.image.otherConfigs]
      .filter(([key, configs]) => configs.size > 0 && key.startsWith(`${type}:`)).map(([key]) => key.slice(`${type}:`.length))
    if (asked.includes(GROUP_RESOURCE)) for (const g of withConfigs(GROUP_RESOURCE)) out.push({ resourceName: g, resourceType: GROUP_RESOURCE })
    if (asked.includes(CLIENT_METRICS_RESOURCE)) for (const name of withConfigs(CLIENT_METRICS_RESOURCE)) out.push({ resourceName: name, resourceType: CLIENT_METRICS_RESOURCE })
    if (asked.includes(BROKER_LOGGER_RESOURCE)) out.push({ resourceName: String(b.nodeId), resourceType: BROKER_LOGGER_RESOURCE })
    if (asked.includes(BROKER_RESOURCE)) out.push({ resourceName: String(b.nodeId), resourceType: BROKER_RESOURCE })
    if (asked.includes(TOPIC_RESOURCE)) for (const name of b.metadata.image.topicsByName.keys()) out.push({ resourceName: name, resourceType: TOPIC_RESOURCE })
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources: out }
  }
}
