// Every API this broker serves. Adding a handler here is what makes it advertised in ApiVersions.
import { HandlerRegistry } from '../server/registry.js'
import { produceHandler } from './00-produce.js'
import { fetchHandler } from './01-fetch.js'
import { listOffsetsHandler } from './02-list-offsets.js'
import { metadataHandler } from './03-metadata.js'
import { offsetCommitHandler } from './08-offset-commit.js'
import { offsetFetchHandler } from './09-offset-fetch.js'
import { findCoordinatorHandler } from './10-find-coordinator.js'
import { joinGroupHandler } from './11-join-group.js'
import { heartbeatHandler } from './12-heartbeat.js'
import { leaveGroupHandler } from './13-leave-group.js'
import { syncGroupHandler } from './14-sync-group.js'
import { describeGroupsHandler } from './15-describe-groups.js'
import { listGroupsHandler } from './16-list-groups.js'
import { deleteGroupsHandler } from './42-delete-groups.js'
import { offsetDeleteHandler } from './47-offset-delete.js'
import { consumerGroupHeartbeatHandler } from './68-consumer-group-heartbeat.js'
import { consumerGroupDescribeHandler } from './69-consumer-group-describe.js'
import { apiVersionsHandler } from './18-api-versions.js'
import { createTopicsHandler } from './19-create-topics.js'
import { deleteTopicsHandler } from './20-delete-topics.js'
import { deleteRecordsHandler } from './21-delete-records.js'
import { withStableOffsets } from './09-offset-fetch-stable.js'
import { initProducerIdHandler } from './22-init-producer-id.js'
import { addPartitionsToTxnHandler } from './24-add-partitions-to-txn.js'
import { addOffsetsToTxnHandler } from './25-add-offsets-to-txn.js'
import { endTxnHandler } from './26-end-txn.js'
import { txnOffsetCommitHandler } from './28-txn-offset-commit.js'
import { describeProducersHandler } from './61-describe-producers.js'
import { describeTransactionsHandler } from './65-describe-transactions.js'
import { listTransactionsHandler } from './66-list-transactions.js'
import { describeConfigsHandler } from './32-describe-configs.js'
import { alterConfigsHandler } from './33-alter-configs.js'
import { incrementalAlterConfigsHandler } from './44-incremental-alter-configs.js'
import { offsetForLeaderEpochHandler } from './23-offset-for-leader-epoch.js'
import { describeLogDirsHandler } from './35-describe-log-dirs.js'
import { createPartitionsHandler } from './37-create-partitions.js'
import { describeQuorumHandler } from './55-describe-quorum.js'
import { describeClusterHandler } from './60-describe-cluster.js'
import { listConfigResourcesHandler } from './74-list-config-resources.js'
import { describeTopicPartitionsHandler } from './75-describe-topic-partitions.js'
import { electLeadersHandler } from './43-elect-leaders.js'
import { alterPartitionReassignmentsHandler } from './45-alter-partition-reassignments.js'
import { listPartitionReassignmentsHandler } from './46-list-partition-reassignments.js'
import { alterReplicaLogDirsHandler } from './34-alter-replica-log-dirs.js'
import { updateFeaturesHandler } from './57-update-features.js'
import { unregisterBrokerHandler } from './64-unregister-broker.js'
import { describeClientQuotasHandler } from './48-describe-client-quotas.js'
import { alterClientQuotasHandler } from './49-alter-client-quotas.js'
import { getTelemetrySubscriptionsHandler } from './71-get-telemetry-subscriptions.js'
import { pushTelemetryHandler } from './72-push-telemetry.js'
import type { Telemetry } from '../telemetry/telemetry.js'

export interface RegistryOptions {
  /** The KIP-714 receiver; without one GetTelemetrySubscriptions and PushTelemetry are not served, as in Kafka. */
  telemetry?: Telemetry | null
}

export function createRegistry (opts: RegistryOptions = {}): HandlerRegistry {
  const registry = new HandlerRegistry()
  registry.register(produceHandler)
  registry.register(fetchHandler)
  registry.register(listOffsetsHandler)
  registry.register(metadataHandler)
  registry.register(offsetCommitHandler)
  registry.register(withStableOffsets(offsetFetchHandler))
  registry.register(findCoordinatorHandler)
  registry.register(joinGroupHandler)
  registry.register(heartbeatHandler)
  registry.register(leaveGroupHandler)
  registry.register(syncGroupHandler)
  registry.register(describeGroupsHandler)
  registry.register(listGroupsHandler)
  registry.register(apiVersionsHandler(registry))
  registry.register(createTopicsHandler)
  registry.register(deleteTopicsHandler)
  registry.register(deleteRecordsHandler)
  registry.register(initProducerIdHandler)
  registry.register(addPartitionsToTxnHandler)
  registry.register(addOffsetsToTxnHandler)
  registry.register(endTxnHandler)
  registry.register(txnOffsetCommitHandler)
  registry.register(describeProducersHandler)
  registry.register(describeTransactionsHandler)
  registry.register(listTransactionsHandler)
  registry.register(describeConfigsHandler)
  registry.register(alterConfigsHandler)
  registry.register(incrementalAlterConfigsHandler)
  registry.register(offsetForLeaderEpochHandler)
  registry.register(describeLogDirsHandler)
  registry.register(createPartitionsHandler)
  registry.register(describeQuorumHandler)
  registry.register(describeClusterHandler)
  registry.register(listConfigResourcesHandler)
  registry.register(describeTopicPartitionsHandler)
  registry.register(electLeadersHandler)
  registry.register(alterPartitionReassignmentsHandler)
  registry.register(listPartitionReassignmentsHandler)
  registry.register(alterReplicaLogDirsHandler)
  registry.register(updateFeaturesHandler)
  registry.register(unregisterBrokerHandler)
  registry.register(describeClientQuotasHandler)
  registry.register(alterClientQuotasHandler)
  registry.register(deleteGroupsHandler)
  registry.register(offsetDeleteHandler)
  registry.register(consumerGroupHeartbeatHandler)
  registry.register(consumerGroupDescribeHandler)
  if (opts.telemetry != null) {
    registry.register(getTelemetrySubscriptionsHandler(opts.telemetry))
    registry.register(pushTelemetryHandler(opts.telemetry))
  }
  return registry
}
