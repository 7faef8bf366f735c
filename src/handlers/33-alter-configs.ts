// AlterConfigs (key 33), versions 0–2.
//
// Behaviour: the configs given replace the whole override set of a TOPIC or BROKER resource (keys not
// named are removed), validated as Kafka does — topics by LogConfig rules (unknown name or bad value
// INVALID_CONFIG), brokers by the dynamic-config rules (a static config such as node.id, log.dirs or
// listeners, or a bad value, INVALID_REQUEST "Cannot update these configs dynamically: [...]") — then
// written as ConfigRecords through the metadata log, so they apply to the next request and survive a
// restart. validateOnly checks without writing. A resource named twice, duplicate keys or null values
// INVALID_REQUEST; an unknown topic UNKNOWN_TOPIC_OR_PARTITION; BROKER_LOGGER is refused here, as in Kafka
// (it needs IncrementalAlterConfigs). GROUP and CLIENT_METRICS sets are replaced under the same rules as
// IncrementalAlterConfigs (Kafka's controller validates both APIs alike).
// Gaps: no AlterConfigPolicy, no authorization.
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
