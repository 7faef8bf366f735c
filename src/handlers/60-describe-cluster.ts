// DescribeCluster (key 60), versions 0–2.
//
// Behaviour: the cluster id, this broker (advertised host and port, rack) and, as a KRaft broker does,
// an alive broker as the controller id — here always this node. v1+ endpointType is checked as
// AuthHelper.computeDescribeClusterResponse does on a broker listener: 2 (controllers) is
// MISMATCHED_ENDPOINT_TYPE "The request was sent to an endpoint of type BROKER, but we wanted an endpoint
// of type CONTROLLER"; any other value but 1 is UNSUPPORTED_ENDPOINT_TYPE "Unsupported endpoint type N"
// (v0 has no endpointType, so never errs); both with every other field at its schema default. v2
// includeFencedBrokers changes nothing (one broker, never fenced). includeClusterAuthorizedOperations
// answers every cluster operation, as Kafka does without an authorizer; otherwise the field keeps its
// schema default (-2147483648).
import { DescribeClusterSpec, type DescribeClusterRequest, type DescribeClusterResponse } from '../wire/generated/describe-cluster.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED } from '../broker/authorized-operations.js'

const BROKER_ENDPOINTS = 1
const CONTROLLER_ENDPOINTS = 2

export const describeClusterHandler: Handler = {
  apiKey: 60,
  spec: DescribeClusterSpec,
  minVersion: 0,
  maxVersion: 2,
  handle (ctx: RequestContext, req: DescribeClusterRequest): Init<DescribeClusterResponse> {
    const b = ctx.broker
    const endpointType = ctx.apiVersion >= 1 ? req.endpointType : BROKER_ENDPOINTS
    if (endpointType !== BROKER_ENDPOINTS) {
      const [errorCode, errorMessage] = endpointType === CONTROLLER_ENDPOINTS
        ? [ErrorCode.MISMATCHED_ENDPOINT_TYPE, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER']
        : [ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, `Unsupported endpoint type ${endpointType}`]
      return { throttleTimeMs: 0, errorCode, errorMessage, endpointType: BROKER_ENDPOINTS, clusterId: '', controllerId: -1, brokers: [] }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKER_ENDPOINTS,
      clusterId: b.clusterId,
      controllerId: b.nodeId,
      brokers: [{ brokerId: b.nodeId, host: b.advertisedHost, port: b.advertisedPort, rack: b.config.str('broker.rack'), isFenced: false }],
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : OPERATIONS_NOT_REQUESTED
    }
  }
}
