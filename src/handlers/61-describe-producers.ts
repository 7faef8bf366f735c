// DescribeProducers (key 61), version 0.
//
// Behaviour: for each asked partition this broker leads, the producers in its producer state (id, epoch,
// last sequence and timestamp, coordinator epoch of the last marker, first offset of the ongoing
// transaction or -1), as Kafka's ReplicaManager.activeProducerState reports them. Unknown topics or
// partitions get UNKNOWN_TOPIC_OR_PARTITION.
import { DescribeProducersSpec, type DescribeProducersRequest, type DescribeProducersResponse } from '../wire/generated/describe-producers.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const describeProducersHandler: Handler = {
  apiKey: 61,
  spec: DescribeProducersSpec,
  minVersion: 0,
  maxVersion: 0,
  handle (ctx: RequestContext, req: DescribeProducersRequest): Init<DescribeProducersResponse> {
    const broker = ctx.broker
    return {
      throttleTimeMs: 0,
      topics: req.topics.map(t => ({
        name: t.name,
        partitions: t.partitionIndexes.map(partitionIndex => {
          const p = broker.partition(t.name, partitionIndex)
          if (p === undefined) return { partitionIndex, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] }
          return {
            partitionIndex,
            errorCode: ErrorCode.NONE,
            errorMessage: null,
            activeProducers: [...p.log.producerState.producers.values()].map(e => ({
              producerId: e.producerId,
              producerEpoch: e.producerEpoch,
              lastSequence: e.lastSeq,
              lastTimestamp: e.lastTimestamp,
              coordinatorEpoch: e.coordinatorEpoch,
              currentTxnStartOffset: e.currentTxnFirstOffset
            }))
          }
        })
      }))
    }
  }
}
