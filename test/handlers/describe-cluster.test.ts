import t from 'tap'
import { startTestBroker } from '../helpers/broker.js'

const DESCRIBE_CLUSTER = 60

t.test('every version: cluster id, this broker, controller, authorized operations', async t => {
  const b = await startTestBroker(t, { config: { 'broker.rack': 'r1' } })
  const c = await b.client()
  for (let v = 0; v <= 2; v++) {
    const r = await c.request(DESCRIBE_CLUSTER, v, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: v >= 2 })
    t.equal(r.errorCode, 0, `v${v}`)
    t.equal(r.clusterId, b.running.broker.clusterId)
    t.equal(r.controllerId, 1)
    t.same(r.brokers, [{ brokerId: 1, host: '127.0.0.1', port: b.port, rack: 'r1', isFenced: false }])
    t.equal(r.clusterAuthorizedOperations, -2147483648, 'not asked')
  }
  const ops = await c.request(DESCRIBE_CLUSTER, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })
  // CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE
  t.equal(ops.clusterAuthorizedOperations, (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12))
  const controllers = await c.request(DESCRIBE_CLUSTER, 1, { includeClusterAuthorizedOperations: false, endpointType: 2 })
  t.same([controllers.errorCode, controllers.errorMessage, controllers.clusterId, controllers.controllerId, controllers.brokers, controllers.clusterAuthorizedOperations],
    [114, 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER', '', -1, [], -2147483648], 'controllers asked of a broker listener: MISMATCHED_ENDPOINT_TYPE')
  for (const endpointType of [0, 3, -1]) {
    const r = await c.request(DESCRIBE_CLUSTER, 2, { includeClusterAuthorizedOperations: true, endpointType, includeFencedBrokers: false })
    t.same([r.errorCode, r.errorMessage, r.brokers, r.clusterAuthorizedOperations], [115, `Unsupported endpoint type ${endpointType}`, [], -2147483648], `endpointType ${endpointType}: UNSUPPORTED_ENDPOINT_TYPE`)
  }
})
