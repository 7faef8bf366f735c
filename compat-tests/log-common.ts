// What the log compat tests share: kcat reads that keep offsets and timestamps, the earliest and
// latest offsets as kcat and kafkajs see them, and polling until the broker's background work shows.
import type { Kafka } from 'kafkajs'
import { kcat, rdkafkaFast } from './tools.js'

export interface KcatRecord {
  offset: number
  key: string | null
  value: string | null
  ts: number
  /** librdkafka's names: "create", "logappend" */
  tstype: string
}

/**
 * kcat -C -e from `from` (an offset or "beginning"), with librdkafka's auto.offset.reset deciding
 * where to go when that offset is out of range.
 */
export async function kcatRead(
  bootstrap: string,
  topic: string,
  from: number | 'beginning',
  reset: 'earliest' | 'latest' = 'earliest',
): Promise<KcatRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-p', '0', '-o', String(from), '-e', '-J', '-X', `auto.offset.reset=${reset}`, ...rdkafkaFast]
  const r = await kcat(args, { timeoutMs: 20_000 })
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as { offset: number; key: string | null; payload: string | null; ts: number; tstype: string }
      return { offset: j.offset, key: j.key, value: j.payload, ts: j.ts, tstype: j.tstype }
    })
}

/** kcat -Q: the offset ListOffsets answers for a timestamp (-2 earliest, -1 latest) on partition 0. */
export async function kcatOffset(bootstrap: string, topic: string, at: -1 | -2): Promise<number> {
  const r = await kcat(['-Q', '-b', bootstrap, '-t', `${topic}:0:${at}`, '-J', ...rdkafkaFast], { timeoutMs: 15_000 })
  const j = JSON.parse(r.stdout.trim()) as Record<string, Record<string, { offset: number }>>
  const o = j[topic]?.['0']?.offset
  if (o === undefined) throw new Error(`kcat -Q printed no offset for ${topic}:0: ${r.stdout}`)
  return o
}

/** kafkajs admin.fetchTopicOffsets for partition 0: [low, high]. */
export async function kafkajsWatermarks(kafka: Kafka, topic: string): Promise<[number, number]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const p = (await admin.fetchTopicOffsets(topic)).find((x) => x.partition === 0)
    if (!p) throw new Error(`no partition 0 in fetchTopicOffsets(${topic})`)
    return [Number(p.low), Number(p.high)]
  } finally {
    await admin.disconnect()
  }
}

export async function createTopic(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const ok = await admin.createTopics({
      topics: [{ topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
      waitForLeaders: true,
    })
    if (!ok) throw new Error(`createTopics(${topic}) reported the topic already existed`)
  } finally {
    await admin.disconnect()
  }
}

/** Poll `probe` until `done` holds of its answer, or fail with the last answer after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (done(v)) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 500)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>
  findBroker(q: { nodeId: string }): Promise<{ deleteRecords(r: { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }): Promise<unknown> }>
}

/**
 * One DeleteRecords request through kafkajs's own Broker object, answering the per-partition error
 * type kafkajs decoded (or null). admin.deleteTopicRecords wraps refusals in a retry error that
 * drops them.
 */
export async function kafkajsDeleteRecordsError(kafka: Kafka, topic: string, offset: string): Promise<string | null> {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  if (!sym) throw new Error('this kafkajs version has no private:Kafka:createCluster')
  const cluster = (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[sym]!({ allowAutoTopicCreation: false })
  await cluster.connect()
  try {
    await cluster.addTargetTopic(topic)
    await cluster.refreshMetadata()
    const [nodeId] = Object.keys(cluster.findLeaderForPartitions(topic, [0]))
    const broker = await cluster.findBroker({ nodeId: nodeId! })
    try {
      await broker.deleteRecords({ topics: [{ topic, partitions: [{ partition: 0, offset }] }] })
      return null
    } catch (e) {
      const parts = (e as { partitions?: { error?: { type?: string } }[] }).partitions
      if (!parts) throw e
      return parts.map((p) => p.error?.type ?? 'unknown').join(',')
    }
  } finally {
    await cluster.disconnect()
  }
}
