// AddPartitionsToTxn (key 24), versions 0–5.
//
// Behaviour: v0–3 (the client form) add one transaction's partitions; v4+ carry a batch of transactions,
// each added or, with VerifyOnly, only checked partition by partition (INVALID_TXN_STATE for a partition
// not in the transaction) — Kafka's broker-to-coordinator form, served here as Kafka serves it. Partitions
// of topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION and the others in the request
// OPERATION_NOT_ATTEMPTED, as KafkaApis does; otherwise the coordinator's one error applies to every
// partition (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR...).
// As Kafka's transactionVersionForAddPartitionsToTxn, v4+ speaks transactions v2 (the transaction then
// ends with the TV2 epoch bump) and v0–3 the classic protocol.
import { AddPartitionsToTxnSpec, type AddPartitionsToTxnRequest, type AddPartitionsToTxnResponse, type AddPartitionsToTxnTopic } from '../wire/generated/add-partitions-to-txn.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { Broker } from '../broker/broker.js'

type TopicResult = { name: string, resultsByPartition: { partitionIndex: number, partitionErrorCode: number }[] }

function byTopic (topics: AddPartitionsToTxnTopic[], code: (topic: string, partition: number) => number): TopicResult[] {
  return topics.map(t => ({ name: t.name, resultsByPartition: t.partitions.map(p => ({ partitionIndex: p, partitionErrorCode: code(t.name, p) })) }))
}

async function addOne (broker: Broker, transactionalId: string, producerId: bigint, producerEpoch: number, topics: AddPartitionsToTxnTopic[], verifyOnly: boolean, clientTransactionVersion: number): Promise<TopicResult[]> {
  const image = broker.metadata.image
  const missing = (topic: string, partition: number): boolean => {
    const t = image.topicsByName.get(topic)
    return t === undefined || t.partitions[partition] === undefined
  }
  const list = topics.flatMap(t => t.partitions.map(partition => ({ topic: t.name, partition })))
  if (list.some(p => missing(p.topic, p.partition))) {
    return byTopic(topics, (t, p) => missing(t, p) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED)
  }
  if (verifyOnly) {
    const codes = broker.transactions.verifyPartitions(transactionalId, producerId, producerEpoch, list)
    let i = 0
    return byTopic(topics, () => codes[i++]!)
  }
  const code = await broker.transactions.addPartitions(transactionalId, producerId, producerEpoch, list, clientTransactionVersion)
  return byTopic(topics, () => code)
}

export const addPartitionsToTxnHandler: Handler = {
  apiKey: 24,
  spec: AddPartitionsToTxnSpec,
  minVersion: 0,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: AddPartitionsToTxnRequest): Promise<Init<AddPartitionsToTxnResponse>> {
    const broker = ctx.broker
    if (ctx.apiVersion < 4) {
      const results = await addOne(broker, req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, req.v3AndBelowTopics, false, 0)
      return { throttleTimeMs: 0, resultsByTopicV3AndBelow: results }
    }
    const resultsByTransaction = await Promise.all(req.transactions.map(async t => ({
      transactionalId: t.transactionalId,
      topicResults: await addOne(broker, t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly, 2)
    })))
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction }
  }
}
