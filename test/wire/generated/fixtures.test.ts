// Real client request frames: header, body decoded to the last byte, specific content, and re-encoding
// gives back the captured bytes.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Reader } from '../../../src/wire/reader.js'
import { Writer } from '../../../src/wire/writer.js'
import { decodeRequestHeader } from '../../../src/wire/headers.js'
import { apiSpec } from '../../../src/wire/generated/index.js'
import type { MetadataRequest } from '../../../src/wire/generated/metadata.js'
import type { CreateTopicsRequest } from '../../../src/wire/generated/create-topics.js'
import type { ProduceRequest } from '../../../src/wire/generated/produce.js'
import { BatchView } from '../../../src/wire/record-batch.js'

const dir = fileURLToPath(new URL('../../fixtures/client-requests/', import.meta.url))

interface Batch { topic: string, partition: number, magic: number, producer_id: number, record_count: number, batch_bytes: number }
interface Entry {
  file: string, api_key: number, api_name: string, api_version: number, flexible: boolean,
  correlation_id: number, client_id: string | null, transactional_id?: string | null, acks?: number, batches?: Batch[]
}
const index = JSON.parse(readFileSync(dir + 'index.json', 'utf8')) as { files: Entry[] }

t.ok(index.files.length > 50, 'fixtures present')

for (const e of index.files) {
  t.test(e.file, async t => {
    const frame = readFileSync(dir + e.file)
    t.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix matches the frame')
    const r = new Reader(frame, 4)
    const h = decodeRequestHeader(r)
    t.equal(h.apiKey, e.api_key)
    t.equal(h.apiVersion, e.api_version)
    t.equal(h.correlationId, e.correlation_id)
    t.equal(h.clientId, e.client_id)
    t.equal(h.headerVersion, e.flexible ? 2 : 1)
    const spec = apiSpec(h.apiKey)
    if (!spec) throw new Error(`no spec for key ${h.apiKey}`)
    t.equal(spec.name, e.api_name)
    const bodyAt = r.offset
    const body = spec.decodeRequest(r, h.apiVersion) as unknown
    t.equal(r.offset, frame.length, 'body consumed exactly')
    const w = new Writer()
    spec.encodeRequest(w, h.apiVersion, body)
    t.ok(w.toBuffer().equals(frame.subarray(bodyAt)), 're-encoding gives the captured bytes')

    if (e.api_name === 'Metadata') {
      const m = body as MetadataRequest
      // Old versions have no way to say "no topics"; the fixtures all ask about something or everything.
      t.ok(m.topics === null || m.topics.every(x => typeof x.name === 'string' && x.name.length > 0), 'topic names decoded')
      if (e.file === 'java-Metadata-v2.bin') t.same(m.topics?.map(x => x.name), ['fxj'], 'the produced topic is asked for')
      // v0 has no null array: an empty list means all topics there.
      if (e.file === 'kafka-python-Metadata-v0.bin') t.same(m.topics, [])
      if (e.file === 'kafka-python-Metadata-v1.bin') t.equal(m.topics, null, 'null asks for all topics')
    }
    if (e.api_name === 'CreateTopics') {
      const m = body as CreateTopicsRequest
      t.equal(m.topics.length, 1, 'one topic')
      t.match(m.topics[0]!.name, /\S/)
      t.equal(m.topics[0]!.numPartitions, 1, 'one partition')
      t.equal(m.topics[0]!.replicationFactor, 1, 'replication factor 1')
    }
    if (e.api_name === 'Produce' && e.batches) {
      const m = body as ProduceRequest
      if (e.transactional_id !== undefined) t.equal(m.transactionalId, e.transactional_id)
      if (e.acks !== undefined) t.equal(m.acks, e.acks)
      const parts = m.topicData.flatMap(td => td.partitionData.map(p => ({ topic: td.name, p })))
      t.equal(parts.length, e.batches.length, 'one partition entry per batch')
      for (const [i, b] of e.batches.entries()) {
        const { topic, p } = parts[i]!
        t.equal(topic, b.topic)
        t.equal(p.index, b.partition)
        t.ok(p.records !== null, 'records present')
        const records = p.records!
        t.equal(records.buffer, frame.buffer, 'records are a zero-copy slice of the frame')
        t.equal(records.length, b.batch_bytes)
        const batch = new BatchView(records)
        t.equal(batch.magic, 2, 'record batch magic 2')
        t.equal(batch.size, records.length)
        t.equal(records.readInt32BE(57), b.record_count, 'record count')
        t.equal(Number(records.readBigInt64BE(43)), b.producer_id, 'producer id')
      }
    }
  })
}
