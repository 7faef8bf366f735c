// @platformatic/kafka helpers: a group-less reader over Consumer.fetch.
import { type Consumer } from '@platformatic/kafka'
import type { ConsumedRecord } from './records.js'

export interface ReadResult {
  records: ConsumedRecord[]
  /** the attributes of every batch served, in order: bits 0-2 are the compression codec */
  batchAttributes: number[]
}

/**
 * Read the given partitions from offset 0 to the high watermark with Consumer.fetch, platformatic's
 * raw Fetch, which needs no consumer group.
 */
export async function platformaticReadAll(consumer: Consumer, topic: string, partitions: number[]): Promise<ReadResult> {
  const md = await consumer.metadata({ topics: [topic], forceUpdate: true })
  const tm = md.topics.get(topic)
  if (!tm) throw new Error(`no metadata for ${topic}`)
  const out: ConsumedRecord[] = []
  const batchAttributes: number[] = []
  const deadline = Date.now() + 15_000
  for (const partition of partitions) {
    let offset = 0n
    for (;;) {
      if (Date.now() > deadline) throw new Error(`fetch of ${topic}/${partition} timed out at ${offset}`)
      const res = await consumer.fetch({
        node: tm.partitions[partition]!.leader,
        maxWaitTime: 50,
        topics: [
          {
            topicId: tm.id,
            partitions: [{ partition, fetchOffset: offset, currentLeaderEpoch: -1, lastFetchedEpoch: -1, partitionMaxBytes: 1 << 20 }],
          },
        ],
      })
      const p = res.responses[0]?.partitions.find((x) => x.partitionIndex === partition)
      if (!p) throw new Error(`fetch response has no partition ${partition}`)
      if (p.errorCode !== 0) throw new Error(`fetch ${topic}/${partition}: error ${p.errorCode}`)
      for (const batch of p.records ?? []) {
        if (batch.firstOffset + BigInt(batch.lastOffsetDelta) >= offset) batchAttributes.push(batch.attributes)
        for (const rec of batch.records) {
          const o = batch.firstOffset + BigInt(rec.offsetDelta)
          if (o < offset) continue
          out.push({
            partition,
            offset: Number(o),
            key: rec.key?.toString('utf8') ?? null,
            value: rec.value?.toString('utf8') ?? null,
            headers: rec.headers.map(([k, v]) => [k?.toString('utf8') ?? '', v?.toString('utf8') ?? '']),
          })
          offset = o + 1n
        }
      }
      if (offset >= p.highWatermark) break
    }
  }
  return { records: out, batchAttributes }
}

