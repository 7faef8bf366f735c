// Typed front ends for the kcat and Python clients, all speaking TestRecord / ConsumedRecord.
import { kcat, python, rdkafkaFast } from './tools.js'
import { parseKcatJson, type ConsumedRecord, type Header, type TestRecord } from './records.js'

export type PyScript = 'confluent_client.py' | 'kafka_python_client.py'

export async function pyCreateTopic(script: PyScript, bootstrap: string, topic: string, partitions: number): Promise<void> {
  await python(script, { op: 'create_topic', bootstrap, topic, partitions })
}

/** Produce, returning the records with the partition and offset the client's delivery reported. */
export async function pyProduce(
  script: PyScript,
  bootstrap: string,
  topic: string,
  records: TestRecord[],
  config: Record<string, unknown> = {},
): Promise<(TestRecord & { offset: number })[]> {
  const res = await python<{ delivered: { partition: number; offset: number }[] }>(script, {
    op: 'produce',
    bootstrap,
    topic,
    records,
    config,
  })
  return records.map((r, i) => ({ ...r, partition: res.delivered[i]!.partition, offset: res.delivered[i]!.offset }))
}

export async function pyConsume(
  script: PyScript,
  bootstrap: string,
  topic: string,
  partitions: number[],
  config: Record<string, unknown> = {},
): Promise<{ records: ConsumedRecord[]; errors: string[] }> {
  const res = await python<{ records: ConsumedRecord[]; errors?: string[] }>(script, {
    op: 'consume',
    bootstrap,
    topic,
    partitions,
    config,
  })
  return { records: res.records, errors: res.errors ?? [] }
}

/**
 * kcat -P: one record per line, key and value split by a tab; kcat puts the same -H headers on
 * every record, so all records must carry `headers`.
 */
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  records: TestRecord[],
  opts: { partition?: number; codec?: string; headers: Header[] },
): Promise<void> {
  for (const r of records) {
    if (JSON.stringify(r.headers) !== JSON.stringify(opts.headers)) throw new Error('kcat records must share headers')
  }
  const args = ['-P', '-b', bootstrap, '-t', topic, '-K', '\t', ...rdkafkaFast, '-X', 'topic.partitioner=murmur2_random']
  if (opts.partition !== undefined) args.push('-p', String(opts.partition))
  if (opts.codec) args.push('-z', opts.codec)
  for (const [k, v] of opts.headers) args.push('-H', `${k}=${v}`)
  const input = records.map((r) => `${r.key}\t${r.value}\n`).join('')
  await kcat(args, { input, timeoutMs: 30_000 })
}

/** kcat -C from the beginning to the current end (-e) of one partition, or of all when omitted. */
export async function kcatConsume(bootstrap: string, topic: string, partition?: number): Promise<ConsumedRecord[]> {
  const args = ['-C', '-b', bootstrap, '-t', topic, '-o', 'beginning', '-e', '-J', ...rdkafkaFast]
  if (partition !== undefined) args.push('-p', String(partition))
  const r = await kcat(args, { timeoutMs: 30_000 })
  return parseKcatJson(r.stdout)
}
