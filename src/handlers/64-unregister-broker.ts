// UnregisterBroker (key 64), version 0.
//
// Behaviour: KRaft's ClusterControlManager.unregisterBroker with one registration, this broker's. Any
// other id is BROKER_ID_NOT_REGISTERED; the message is the error's text, a comma, then the controller's
// exception message (KAFKA-18859's getErrorResponse). Naming the live broker itself is NONE in Kafka too:
// ReplicationControlManager.unregisterBroker only checks that a registration exists, then writes the
// fencing changes and an UnregisterBrokerRecord (no "is alive" check; the broker re-registers later).
// Gaps: unregistering this broker answers NONE but leaves it registered and serving: a one-broker cluster
// has no one else to lead its partitions, and its next heartbeat would register it again in Kafka too.
// No authorization (CLUSTER ALTER).
import { UnregisterBrokerSpec, type UnregisterBrokerRequest, type UnregisterBrokerResponse } from '../wire/generated/unregister-broker.js'
import type { Init } from '../wire/types.js'
import { ErrorCode, errorInfo } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const unregisterBrokerHandler: Handler = {
  apiKey: 64,
  spec: UnregisterBrokerSpec,
  minVersion: 0,
  maxVersion: 0,
  handle (ctx: RequestContext, req: UnregisterBrokerRequest): Init<UnregisterBrokerResponse> {
    if (req.brokerId !== ctx.broker.nodeId) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.BROKER_ID_NOT_REGISTERED, errorMessage: `${errorInfo(ErrorCode.BROKER_ID_NOT_REGISTERED)!.message}, Broker ID ${req.brokerId} is not currently registered` }
    }
    ctx.log.warn({ brokerId: req.brokerId }, 'UnregisterBroker named this broker; it stays registered as the only one')
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null }
  }
}
