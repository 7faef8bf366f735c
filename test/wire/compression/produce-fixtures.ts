// The captured Produce frames of test/fixtures/client-requests, parsed with the generated codec,
// with index.json's description of each batch.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Reader } from '../../../src/wire/reader.js'
import { decodeRequestHeader } from '../../../src/wire/headers.js'
import { decodeProduceRequest } from '../../../src/wire/generated/produce.js'

const dir = fileURLToPath(new URL('../../fixtures/client-requests/', import.meta.url))

export interface FixtureBatch {
  topic: string, partition: number, attributes: number, codec: string, transactional: boolean, control: boolean
  timestamp_type: string, producer_id: number, producer_epoch: number, base_sequence: number, record_count: number
  batch_bytes: number, compression?: string, first_record?: { key: string, headers: number }
}

export interface ProduceFixture {
  file: string
  client: string
  apiVersion: number
  codec: string
  batches: FixtureBatch[]
  /** records field of each partition, in request order */
  records: Buffer[]
}

interface IndexEntry { file: string, client: string, api_name: string, api_version: number, codec: string, batches: FixtureBatch[] }

export function produceFixtures (): ProduceFixture[] {
  const index = JSON.parse(readFileSync(dir + 'index.json', 'utf8')) as { files: IndexEntry[] }
  const files = new Set(readdirSync(dir))
  return index.files.filter(e => e.api_name === 'Produce' && files.has(e.file)).map(e => {
    const frame = readFileSync(dir + e.file)
    const r = new Reader(frame, 4)
    const header = decodeRequestHeader(r)
    const req = decodeProduceRequest(r, header.apiVersion)
    const records: Buffer[] = []
    for (const t of req.topicData) for (const p of t.partitionData) if (p.records !== null) records.push(p.records)
    return { file: e.file, client: e.client, apiVersion: header.apiVersion, codec: e.codec, batches: e.batches, records }
  })
}

export const CODEC_IDS: Record<string, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 }
