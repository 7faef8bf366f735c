// AlterConfigs (key 33), versions 0–2.
//
// Behaviour: the configs given replace the whole override set of a TOPIC or BROKER resource (keys not
// named are removed), validated as Kafka does — topics by LogConfig rules (unknown name or bad value
// INVALID_CONFIG; the name and values are checked before the topic's existence, as the controller's
// validateAlterConfig does; "" is INVALID_REQUEST "Default topic resources are not allowed."; a value over
// 32767 chars INVALID_CONFIG), brokers by the dynamic-config rules (a static config such as node.id,
// log.dirs or listeners INVALID_REQUEST "Cannot update these configs dynamically: Set(node.id)", printed as
// the Scala Set it is; a bad value INVALID_REQUEST with ConfigDef's message) — then
// written as ConfigRecords through the metadata log, so they apply to the next request and survive a
// restart. validateOnly checks without writing. A resource named twice, duplicate keys or null values
// INVALID_REQUEST; an unknown topic UNKNOWN_TOPIC_OR_PARTITION; BROKER_LOGGER is refused here, as in Kafka
// ("Unknown resource type 8", ConfigAdminManager.preprocess). GROUP and CLIENT_METRICS are accepted, as in
// Kafka 4.x: the legacy preprocess lets TOPIC | CLIENT_METRICS | GROUP through and ControllerApis'
// authorizeAlterResource knows both, so their sets are replaced under IncrementalAlterConfigs' validation.
// Gaps: no AlterConfigPolicy, no authorization; the "at default cluster level, broker id must be specified"
// check has nothing to refuse (samsa has no per-broker-only dynamic configs such as listener SSL keys).
import { AlterConfigsSpec, type AlterConfigsRequest, type AlterConfigsResponse } from '../wire/generated/alter-configs.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { alterConfigs } from '../broker/config-admin.js'

export const alterConfigsHandler: Handler = {
  apiKey: 33,
  spec: AlterConfigsSpec,
  minVersion: 0,
  maxVersion: 2,
  async handle (ctx: RequestContext, req: AlterConfigsRequest): Promise<Init<AlterConfigsResponse>> {
    const responses = await alterConfigs(ctx.broker, req.resources, req.validateOnly)
    if (!req.validateOnly) {
      for (const r of responses) if (r.errorCode === 0) ctx.log.info({ resourceType: r.resourceType, resourceName: r.resourceName }, 'configs replaced')
    }
    return { throttleTimeMs: 0, responses }
  }
}
