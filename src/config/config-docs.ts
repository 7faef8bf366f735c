// One-line descriptions of each config, as DescribeConfigs v3+ returns them with includeDocumentation.
// Written for samsa (short, in our own words); where samsa accepts a config only for compatibility, the
// line says so.

export const TOPIC_CONFIG_DOCS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'How old segments are dealt with: delete (by time or size), compact (keep the latest record per key), or both.',
  'compression.gzip.level': 'gzip level used when the topic recompresses with gzip (-1: the codec default).',
  'compression.lz4.level': 'lz4 level used when the topic recompresses with lz4.',
  'compression.type': 'Codec batches are stored with; producer keeps whatever the producer sent.',
  'compression.zstd.level': 'zstd level used when the topic recompresses with zstd.',
  'delete.retention.ms': 'How long tombstones stay readable in a compacted topic after cleaning reaches them.',
  'file.delete.delay.ms': 'Delay between a segment being dropped from the log and its files being removed.',
  'flush.messages': 'Force an fsync after this many messages (the default leaves flushing to the OS).',
  'flush.ms': 'Force an fsync when the oldest unflushed message is this old.',
  'follower.replication.throttled.replicas': 'Replicas whose follower-side replication is throttled (accepted; samsa has no followers).',
  'index.interval.bytes': 'Bytes of log between two entries of the offset index.',
  'leader.replication.throttled.replicas': 'Replicas whose leader-side replication is throttled (accepted; samsa has no followers).',
  'local.retention.bytes': 'Local size limit when tiered storage is on (-2: same as retention.bytes).',
  'local.retention.ms': 'Local time limit when tiered storage is on (-2: same as retention.ms).',
  'max.compaction.lag.ms': 'Longest a record may stay uncompacted in a compacted topic.',
  'max.message.bytes': 'Largest record batch the topic accepts, after compression.',
  'message.timestamp.after.max.ms': 'How far in the future a CreateTime timestamp may be before the batch is refused.',
  'message.timestamp.before.max.ms': 'How far in the past a CreateTime timestamp may be before the batch is refused.',
  'message.timestamp.type': 'Whether record timestamps are the producer\'s (CreateTime) or the broker\'s (LogAppendTime).',
  'min.cleanable.dirty.ratio': 'Share of the log that must be uncompacted before the cleaner picks it.',
  'min.compaction.lag.ms': 'Shortest time a record stays uncompacted.',
  'min.insync.replicas': 'Replicas that must hold a write for acks=all to succeed.',
  'preallocate': 'Preallocate segment files on creation (accepted; samsa does not preallocate).',
  'remote.log.copy.disable': 'Stop copying segments to tiered storage (no tiered storage in samsa).',
  'remote.log.delete.on.disable': 'Delete remote data when tiered storage is turned off (no tiered storage in samsa).',
  'remote.storage.enable': 'Turn tiered storage on for the topic (not supported by samsa).',
  'retention.bytes': 'Largest a partition may grow before old segments are deleted (-1: no limit).',
  'retention.ms': 'How long records are kept before their segment is deleted (-1: forever).',
  'segment.bytes': 'Size at which the active segment is rolled.',
  'segment.index.bytes': 'Size of the offset and time index files of a segment.',
  'segment.jitter.ms': 'Random amount subtracted from segment.ms so segments do not all roll together.',
  'segment.ms': 'Age at which the active segment is rolled even if not full.',
  'unclean.leader.election.enable': 'Allow an out-of-sync replica to become leader (moot with one replica).'
}

export const BROKER_CONFIG_DOCS: Readonly<Record<string, string>> = {
  'node.id': 'This node\'s id in the cluster.',
  'listeners': 'Addresses the broker listens on, as NAME://host:port.',
  'advertised.listeners': 'Addresses given to clients, when different from listeners.',
  'process.roles': 'Roles this node plays (broker, controller); a samsa node is both.',
  'controller.listener.names': 'Listener names used by controllers; such listeners do not serve clients.',
  'listener.security.protocol.map': 'Security protocol of each listener name.',
  'inter.broker.listener.name': 'Listener brokers use to talk to each other.',
  'controller.quorum.voters': 'The static controller quorum (accepted for compatibility).',
  'controller.quorum.bootstrap.servers': 'Controllers to bootstrap from (accepted for compatibility).',
  'log.dirs': 'Data directory (samsa uses exactly one); overrides log.dir.',
  'log.dir': 'Data directory used when log.dirs is not set.',
  'auto.create.topics.enable': 'Create a topic when a client asks for its metadata and it does not exist.',
  'num.partitions': 'Partition count of topics created without one.',
  'default.replication.factor': 'Replication factor of topics created without one.',
  'delete.topic.enable': 'Whether DeleteTopics is allowed.',
  'socket.request.max.bytes': 'Largest request frame the broker reads.',
  'broker.rack': 'Rack of this broker, reported in metadata.',
  'offsets.topic.num.partitions': 'Partition count of __consumer_offsets.',
  'offsets.topic.replication.factor': 'Replication factor of __consumer_offsets.',
  'offsets.topic.segment.bytes': 'Segment size of __consumer_offsets.',
  'offsets.load.buffer.size': 'Read size when loading group state from __consumer_offsets.',
  'offsets.retention.minutes': 'How long committed offsets of an empty group are kept.',
  'offsets.retention.check.interval.ms': 'How often expired offsets are looked for.',
  'offset.metadata.max.bytes': 'Largest metadata string accepted with an offset commit.',
  'group.initial.rebalance.delay.ms': 'How long the first rebalance of a new group waits for more members.',
  'group.min.session.timeout.ms': 'Smallest session timeout a member may ask for.',
  'group.max.session.timeout.ms': 'Largest session timeout a member may ask for.',
  'group.max.size': 'Largest number of members in one classic group.',
  'samsa.log.level': 'Level of samsa\'s own log at start-up (BROKER_LOGGER changes it live).',
  'samsa.shutdown.timeout.ms': 'How long shutdown waits for in-flight requests.',
  'samsa.log.durability': 'When a write is acknowledged: os (written to the page cache) or fsync (after a group fsync).',
  'log.retention.check.interval.ms': 'How often segments are checked against retention.',
  'log.flush.scheduler.interval.ms': 'How often logs are checked against flush.ms; also the fallback of log.flush.interval.ms.',
  'log.cleaner.enable': 'Run the log cleaner for compacted topics.',
  'log.cleaner.backoff.ms': 'Pause of the cleaner when no log is dirty enough.',
  'log.cleaner.dedupe.buffer.size': 'Memory for the key map of one cleaning pass.',
  'log.cleaner.io.buffer.load.factor': 'How full the cleaner\'s key map may get.',
  'log.retention.ms': 'Default retention.ms; when unset, log.retention.minutes then log.retention.hours apply.',
  'log.retention.minutes': 'Default retention in minutes, used when log.retention.ms is unset.',
  'log.retention.hours': 'Default retention in hours, used when log.retention.ms and log.retention.minutes are unset.',
  'log.roll.ms': 'Default segment.ms; when unset, log.roll.hours applies.',
  'log.roll.hours': 'Default segment age in hours, used when log.roll.ms is unset.',
  'log.roll.jitter.ms': 'Default segment.jitter.ms; when unset, log.roll.jitter.hours applies.',
  'log.roll.jitter.hours': 'Default segment jitter in hours, used when log.roll.jitter.ms is unset.',
  'log.flush.interval.ms': 'Default flush.ms; when unset, log.flush.scheduler.interval.ms applies.'
}

/** The broker default of a topic config says what the topic config does, at broker level. */
export function brokerDoc (name: string, topicSynonymOf: string | undefined): string | null {
  const own = BROKER_CONFIG_DOCS[name]
  if (own !== undefined) return own
  if (topicSynonymOf !== undefined) {
    const t = TOPIC_CONFIG_DOCS[topicSynonymOf]
    if (t !== undefined) return `Default of the topic config ${topicSynonymOf}. ${t}`
  }
  return null
}
