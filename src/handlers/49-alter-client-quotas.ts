// AlterClientQuotas (key 49), versions 0–1.
//
// Behaviour: KRaft's ClientQuotaControlManager.alterClientQuotas. Entities are user, client-id (alone or
// together) or ip (alone), a null name being the default entity. Keys: producer_byte_rate and
// consumer_byte_rate (whole numbers), request_percentage and controller_mutation_rate for user/client-id;
// connection_creation_rate (a whole number up to 2^31-1) for ip. Each entity gets its own result with
// ClientQuotaControlManager's INVALID_REQUEST messages (empty entity, unknown type, empty name, ip combined
// with others — "IP entity shouldnot be combined", Kafka's missing space kept — an ip that is neither an
// address nor resolvable, unknown key, a value not above 0, a fraction, a duplicate key or entity). A type
// named twice in one entity keeps its last name, as the request's HashMap does, so Kafka's "duplicate entity
// entry" cannot arise from the wire. Accepted changes are ClientQuotaRecords through the controller in one
// batch; validateOnly writes nothing. Produce/Fetch byte rates, request_percentage, controller_mutation_rate
// and connection_creation_rate are enforced (src/broker/quotas.ts and the connection limiter).
// Gaps: no authorization (CLUSTER ALTER_CONFIGS).
import { AlterClientQuotasSpec, type AlterClientQuotasRequest, type AlterClientQuotasResponse } from '../wire/generated/alter-client-quotas.js'
import type { Init } from '../wire/types.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { planQuotaAlterations } from '../broker/quotas.js'

export const alterClientQuotasHandler: Handler = {
  apiKey: 49,
  spec: AlterClientQuotasSpec,
  minVersion: 0,
  maxVersion: 1,
  async handle (ctx: RequestContext, req: AlterClientQuotasRequest): Promise<Init<AlterClientQuotasResponse>> {
    const results = await ctx.broker.controller.run(async image => {
      const planned = await planQuotaAlterations(image, req.entries)
      return { records: req.validateOnly ? [] : planned.records, result: planned.results }
    })
    if (!req.validateOnly && results.some(r => r.errorCode === 0)) ctx.log.info({ entities: results.filter(r => r.errorCode === 0).map(r => r.entity) }, 'altered client quotas')
    return { throttleTimeMs: 0, entries: results }
  }
}
