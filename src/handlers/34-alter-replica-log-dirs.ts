// AlterReplicaLogDirs (key 34), versions 1–2.
//
// Behaviour: ReplicaManager.alterReplicaLogDirs with one log directory. The destination must be the
// absolute path of a configured log dir, else LOG_DIR_NOT_FOUND (LogManager.isLogDirOnline); a topic
// name too long for Kafka's "-future" directory name (over 255 UTF-16 units, Java's String.length) is
// INVALID_TOPIC_EXCEPTION, checked first. Then getPartitionOrException decides: a partition the metadata
// does not know is UNKNOWN_TOPIC_OR_PARTITION; one it knows but this broker does not host is
// NOT_LEADER_OR_FOLLOWER, answered as REPLICA_NOT_AVAILABLE (Kafka keeps that code here for
// compatibility). Moving a partition to the directory it is already in is a success that moves nothing
// (Partition.maybeCreateFutureReplica). A partition named twice keeps its last destination and is
// answered once, as Kafka's map of partitions does. Results are grouped by topic.
// Gaps: no authorization (CLUSTER ALTER); with one directory there is never a move to perform.
import { resolve } from 'node:path'
import { AlterReplicaLogDirsSpec, type AlterReplicaLogDirsRequest, type AlterReplicaLogDirsResponse } from '../wire/generated/alter-replica-log-dirs.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

/** Length of `${topic}-${partition}.${32 hex uuid}-future`, Kafka's future-log directory name. */
const futureDirNameLength = (topic: string, partition: number): number => `${topic}-${partition}`.length + 1 + 32 + '-future'.length

export const alterReplicaLogDirsHandler: Handler = {
  apiKey: 34,
  spec: AlterReplicaLogDirsSpec,
  minVersion: 1,
  maxVersion: 2,
  handle (ctx: RequestContext, req: AlterReplicaLogDirsRequest): Init<AlterReplicaLogDirsResponse> {
    const logDir = resolve(ctx.broker.config.dataDir)
    const destinations = new Map<string, { topic: string, partition: number, path: string }>()
    for (const d of req.dirs) {
      for (const t of d.topics) for (const p of t.partitions) destinations.set(`${t.name}\u0000${p}`, { topic: t.name, partition: p, path: d.path })
    }
    const byTopic = new Map<string, { partitionIndex: number, errorCode: number }[]>()
    for (const { topic, partition, path } of destinations.values()) {
      let errorCode: number = ErrorCode.NONE
      if (futureDirNameLength(topic, partition) > 255) errorCode = ErrorCode.INVALID_TOPIC_EXCEPTION
      else if (path !== logDir) errorCode = ErrorCode.LOG_DIR_NOT_FOUND
      else if (ctx.broker.partition(topic, partition) === undefined) {
        const known = ctx.broker.metadata.image.topicsByName.get(topic)?.partitions[partition] !== undefined
        errorCode = known ? ErrorCode.REPLICA_NOT_AVAILABLE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
      }
      let list = byTopic.get(topic)
      if (list === undefined) byTopic.set(topic, list = [])
      list.push({ partitionIndex: partition, errorCode })
    }
    return { throttleTimeMs: 0, results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) }
  }
}
