// DescribeLogDirs (key 35), versions 1–5.
//
// Behaviour: ReplicaManager.describeLogDirs over the one data directory (absolute path): for each asked
// partition this broker holds (null topics: all of them; an empty list: none) its size in bytes (the sum
// of its segment files, UnifiedLog.size) and its offset lag, max(high watermark - log end offset, 0): 0
// for a one-replica leader. Asked partitions this broker does not host are simply not listed, and topics
// left with no partition are dropped (filterNot partitions.isEmpty); there is no per-partition error.
// isFutureKey is false (one directory, never a future log). v4+ reports the file system's total and
// usable bytes (statfs, FileStore.getTotalSpace/getUsableSpace); the metadata log is KRaft's, not a
// LogManager log, so it is not listed. v5 isCordoned is false (samsa cannot cordon a directory).
// Errors: statfs failing answers the directory with KAFKA_STORAGE_ERROR and the schema defaults.
import { statfs } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DescribeLogDirsSpec, type DescribeLogDirsRequest, type DescribeLogDirsResponse } from '../wire/generated/describe-log-dirs.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'

export const describeLogDirsHandler: Handler = {
  apiKey: 35,
  spec: DescribeLogDirsSpec,
  minVersion: 1,
  maxVersion: 5,
  async handle (ctx: RequestContext, req: DescribeLogDirsRequest): Promise<Init<DescribeLogDirsResponse>> {
    const b = ctx.broker
    const logDir = resolve(b.config.dataDir)
    let wanted: Set<string> | null = null
    if (req.topics !== null) {
      wanted = new Set()
      for (const t of req.topics) for (const p of t.partitions) wanted.add(`${t.topic}-${p}`)
    }
    const byTopic = new Map<string, { name: string, partitions: { partitionIndex: number, partitionSize: bigint, offsetLag: bigint, isFutureKey: boolean }[] }>()
    for (const [key, p] of b.partitions) {
      if (wanted !== null && !wanted.has(key)) continue
      let t = byTopic.get(p.topic)
      if (t === undefined) byTopic.set(p.topic, t = { name: p.topic, partitions: [] })
      t.partitions.push({ partitionIndex: p.index, partitionSize: BigInt(p.log.sizeInBytes()), offsetLag: p.highWatermark > p.log.logEndOffset ? p.highWatermark - p.log.logEndOffset : 0n, isFutureKey: false })
    }
    for (const t of byTopic.values()) t.partitions.sort((x, y) => x.partitionIndex - y.partitionIndex)
    let totalBytes = -1n
    let usableBytes = -1n
    try {
      const s = await statfs(logDir, { bigint: true })
      totalBytes = s.blocks * s.bsize
      usableBytes = s.bavail * s.bsize
    } catch (err) {
      ctx.log.error({ err, logDir }, 'could not read the data directory\'s file system')
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results: [{ errorCode: ErrorCode.KAFKA_STORAGE_ERROR, logDir, topics: [], totalBytes: -1n, usableBytes: -1n, isCordoned: false }] }
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [{ errorCode: ErrorCode.NONE, logDir, topics: [...byTopic.values()], totalBytes, usableBytes, isCordoned: false }]
    }
  }
}
