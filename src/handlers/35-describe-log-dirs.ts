// DescribeLogDirs (key 35), versions 1–5.
//
// Behaviour: the one data directory (absolute path) with, for each asked partition this broker holds
// (null topics: all of them), its size in bytes (the sum of its segment files) and an offset lag of 0
// (the leader's own log). Topics with no asked partition are left out, as Kafka does. v4+ reports the
// file system's total and usable bytes (statfs); the metadata log is not a partition log, so, as in
// KRaft, it is not listed. v5 isCordoned is false (samsa cannot cordon a directory).
// Errors: statfs failing answers the directory with KAFKA_STORAGE_ERROR.
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
      t.partitions.push({ partitionIndex: p.index, partitionSize: BigInt(p.log.sizeInBytes()), offsetLag: 0n, isFutureKey: false })
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
