// kafkajs helpers: its codec plugins, and a consumer that needs no consumer group.
//
// kafkajs's only public consumer joins a group, and samsa serves no group APIs yet, so records are
// read through kafkajs's own Cluster and Broker objects: the same connection, ApiVersions
// negotiation, Fetch request encoding and record-batch decoding (codecs included) its consumer uses.
import { createRequire } from 'node:module'
import kafkajs, { CompressionTypes, Kafka, Partitioners, logLevel, type KafkaConfig } from 'kafkajs'
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd'
import type { ConsumedRecord, Header } from './records.js'

const require = createRequire(import.meta.url)
// not among the names Node detects in kafkajs's CommonJS exports
const { CompressionCodecs } = kafkajs

interface KafkajsEncoder {
  buffer: Buffer
}
interface KafkajsCodec {
  compress(encoder: KafkajsEncoder): Promise<Buffer>
  decompress(buffer: Buffer): Promise<Buffer>
}

export type CodecName = 'gzip' | 'snappy' | 'lz4' | 'zstd'

/**
 * How often kafkajs called each codec. A fetch that decompressed with codec X proves the broker
 * served batches still compressed with X (Kafka keeps the producer's codec by default).
 */
export const kafkajsCodecCalls: Record<CodecName, { compress: number; decompress: number }> = {
  gzip: { compress: 0, decompress: 0 },
  snappy: { compress: 0, decompress: 0 },
  lz4: { compress: 0, decompress: 0 },
  zstd: { compress: 0, decompress: 0 },
}

let codecsRegistered = false

function counted(name: CodecName, make: () => KafkajsCodec): () => KafkajsCodec {
  return () => {
    const c = make()
    return {
      compress: (encoder) => {
        kafkajsCodecCalls[name].compress++
        return c.compress(encoder)
      },
      decompress: (buffer) => {
        kafkajsCodecCalls[name].decompress++
        return c.decompress(buffer)
      },
    }
  }
}

/**
 * kafkajs ships gzip only. snappy and lz4 come from the kafkajs-snappy and kafkajs-lz4 plugins; the
 * zstd plugin (@kafkajs/zstd) does not build on Node 20, so zstd is a plugin of the same shape over
 * @mongodb-js/zstd (a samsa dependency), producing standard zstd frames as Kafka expects.
 */
export function registerKafkajsCodecs(): void {
  if (codecsRegistered) return
  codecsRegistered = true
  const codecs = CompressionCodecs as Record<number, () => KafkajsCodec>
  const gzip = codecs[CompressionTypes.GZIP]!
  const SnappyCodec = require('kafkajs-snappy') as () => KafkajsCodec
  const LZ4Codec = require('kafkajs-lz4') as new () => { codec: () => KafkajsCodec }
  const zstd = (): KafkajsCodec => ({
    compress: (encoder) => zstdCompress(encoder.buffer, 3),
    decompress: (buffer) => zstdDecompress(buffer),
  })
  codecs[CompressionTypes.GZIP] = counted('gzip', gzip)
  codecs[CompressionTypes.Snappy] = counted('snappy', SnappyCodec)
  codecs[CompressionTypes.LZ4] = counted('lz4', new LZ4Codec().codec)
  codecs[CompressionTypes.ZSTD] = counted('zstd', zstd)
}

export function makeKafka(bootstrap: string, extra: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'samsa-compat',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    ...extra,
  })
}

interface KafkajsMessage {
  offset: string
  key: Buffer | null
  value: Buffer | null
  headers?: Record<string, Buffer | Buffer[] | undefined>
  isControlRecord?: boolean
}
interface KafkajsFetchResponse {
  responses: {
    topicName: string
    partitions: { partition: number; errorCode: number; highWatermark: string; messages: KafkajsMessage[] }[]
  }[]
}
interface KafkajsBroker {
  fetch(req: {
    maxWaitTime: number
    minBytes: number
    maxBytes: number
    isolationLevel?: number
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[]
  }): Promise<KafkajsFetchResponse>
}
interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(q: { nodeId: string }): Promise<KafkajsBroker>
}

function clusterOf(kafka: Kafka): KafkajsCluster {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  if (!sym) throw new Error('this kafkajs version has no private:Kafka:createCluster')
  const create = (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[sym]!
  return create({ allowAutoTopicCreation: false })
}

function headerPairs(h: KafkajsMessage['headers']): Header[] {
  const out: Header[] = []
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, one.toString('utf8')])
  }
  return out
}

/**
 * Read every record of the given partitions from offset 0 up to the high watermark seen by the
 * fetches, with kafkajs's Fetch. Records before the requested offset (Kafka returns the whole batch
 * containing it) are dropped, as kafkajs's consumer does.
 */
export async function kafkajsReadAll(
  kafka: Kafka,
  topic: string,
  partitions: number[],
  opts: { timeoutMs?: number } = {},
): Promise<ConsumedRecord[]> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  const cluster = clusterOf(kafka)
  await cluster.connect()
  try {
    await cluster.addTargetTopic(topic)
    await cluster.refreshMetadata()
    const out: ConsumedRecord[] = []
    const leaders = cluster.findLeaderForPartitions(topic, partitions)
    for (const [nodeId, parts] of Object.entries(leaders)) {
      const broker = await cluster.findBroker({ nodeId })
      for (const partition of parts) {
        let offset = 0n
        for (;;) {
          if (Date.now() > deadline) throw new Error(`kafkajs fetch of ${topic}/${partition} timed out at offset ${offset}`)
          const res = await broker.fetch({
            maxWaitTime: 50,
            minBytes: 1,
            maxBytes: 4 << 20,
            isolationLevel: 0,
            topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes: 1 << 20 }] }],
          })
          const p = res.responses.find((r) => r.topicName === topic)?.partitions.find((x) => x.partition === partition)
          if (!p) throw new Error(`fetch response has no ${topic}/${partition}`)
          if (p.errorCode !== 0) throw new Error(`fetch ${topic}/${partition} at ${offset}: error code ${p.errorCode}`)
          for (const m of p.messages) {
            const o = BigInt(m.offset)
            if (o < offset || m.isControlRecord) continue
            out.push({
              partition,
              offset: Number(o),
              key: m.key === null ? null : m.key.toString('utf8'),
              value: m.value === null ? null : m.value.toString('utf8'),
              headers: headerPairs(m.headers),
            })
            offset = o + 1n
          }
          if (offset >= BigInt(p.highWatermark)) break
        }
      }
    }
    return out
  } finally {
    await cluster.disconnect()
  }
}

/** Headers in the shape kafkajs's producer takes: repeated keys become arrays, order kept per key. */
export function kafkajsHeaders(headers: Header[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of headers) {
    const prev = out[k]
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
  }
  return out
}

/**
 * The partition Java's default partitioner (and kafkajs's, and librdkafka's murmur2_random) picks for
 * a non-null key: murmur2(key) mod the partition count, computed by kafkajs's own partitioner.
 */
export function murmur2Partition(key: string, numPartitions: number): number {
  const partitionMetadata = Array.from({ length: numPartitions }, (_, partitionId) => ({
    partitionId,
    partitionErrorCode: 0,
    leader: 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
  }))
  return Partitioners.DefaultPartitioner()({ topic: 't', partitionMetadata, message: { key, value: null } })
}
