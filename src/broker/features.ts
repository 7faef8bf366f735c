// Feature levels this broker supports and finalizes (ApiVersions v3+ reports them). Only what samsa
// really implements is listed: share.version is absent until share groups exist, so clients do not try
// them. group.version 1 is KIP-848 consumer groups; transaction.version 2 is transactions v2 (KIP-890).

/** metadata.version 4.3-IV0 (feature level 30), the level Apache Kafka 4.3 formats new clusters with. */
export const METADATA_VERSION_LEVEL = 30
/** IBP_3_3_IV3, the oldest metadata.version a 4.x broker supports. */
export const METADATA_VERSION_MIN = 7

/** group.version 1 (GV_1): the consumer group protocol; Kafka 4.x finalizes it at 1 for new clusters. */
export const GROUP_VERSION_LEVEL = 1

/** transaction.version 2 (TV_2): Kafka 4.x finalizes it for new clusters, so 4.x producers use transactions v2. */
export const TRANSACTION_VERSION_LEVEL = 2

export const SUPPORTED_FEATURES: readonly { name: string, minVersion: number, maxVersion: number }[] = [
  { name: 'metadata.version', minVersion: METADATA_VERSION_MIN, maxVersion: METADATA_VERSION_LEVEL },
  { name: 'group.version', minVersion: 0, maxVersion: GROUP_VERSION_LEVEL },
  { name: 'transaction.version', minVersion: 0, maxVersion: TRANSACTION_VERSION_LEVEL }
]
