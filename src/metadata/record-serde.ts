// Metadata records as KRaft frames them in __cluster_metadata: unsigned varint frame version (1), unsigned
// varint record type (the spec's apiKey), unsigned varint record version, then the flexible-encoded body.
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { DecodeError } from '../wire/decode-error.js'
import { decodeTopicRecord, encodeTopicRecord } from '../wire/generated/metadata-records/topic-record.js'
import { decodePartitionRecord, encodePartitionRecord } from '../wire/generated/metadata-records/partition-record.js'
import { decodePartitionChangeRecord, encodePartitionChangeRecord } from '../wire/generated/metadata-records/partition-change-record.js'
import { decodeConfigRecord, encodeConfigRecord } from '../wire/generated/metadata-records/config-record.js'
import { decodeRemoveTopicRecord, encodeRemoveTopicRecord } from '../wire/generated/metadata-records/remove-topic-record.js'
import { decodeFeatureLevelRecord, encodeFeatureLevelRecord } from '../wire/generated/metadata-records/feature-level-record.js'
import { decodeProducerIdsRecord, encodeProducerIdsRecord } from '../wire/generated/metadata-records/producer-ids-record.js'
import { decodeClientQuotaRecord, encodeClientQuotaRecord } from '../wire/generated/metadata-records/client-quota-record.js'
import type { MetadataRecord } from './image.js'

const FRAME_VERSION = 1

// Record type ids and the version samsa writes (the newest each spec has in 4.3.1).
const TYPES = {
  TopicRecord: { id: 2, version: 0 },
  PartitionRecord: { id: 3, version: 0 },
  ConfigRecord: { id: 4, version: 0 },
  PartitionChangeRecord: { id: 5, version: 0 },
  RemoveTopicRecord: { id: 9, version: 0 },
  FeatureLevelRecord: { id: 12, version: 0 },
  ProducerIdsRecord: { id: 15, version: 0 },
  ClientQuotaRecord: { id: 14, version: 0 }
} as const

export function encodeMetadataRecord (rec: MetadataRecord): Buffer {
  const t = TYPES[rec.type]
  const w = new Writer(64)
  w.uvarint(FRAME_VERSION).uvarint(t.id).uvarint(t.version)
  switch (rec.type) {
    case 'TopicRecord': encodeTopicRecord(w, t.version, rec.data); break
    case 'PartitionRecord': encodePartitionRecord(w, t.version, rec.data); break
    case 'PartitionChangeRecord': encodePartitionChangeRecord(w, t.version, rec.data); break
    case 'ConfigRecord': encodeConfigRecord(w, t.version, rec.data); break
    case 'RemoveTopicRecord': encodeRemoveTopicRecord(w, t.version, rec.data); break
    case 'FeatureLevelRecord': encodeFeatureLevelRecord(w, t.version, rec.data); break
    case 'ProducerIdsRecord': encodeProducerIdsRecord(w, t.version, rec.data); break
    case 'ClientQuotaRecord': encodeClientQuotaRecord(w, t.version, rec.data); break
  }
  return w.toBuffer()
}

export function decodeMetadataRecord (buf: Buffer): MetadataRecord {
  const r = new Reader(buf)
  const frame = r.uvarint()
  if (frame !== FRAME_VERSION) throw new DecodeError(`unsupported metadata record frame version ${frame}`)
  const id = r.uvarint()
  const version = r.uvarint()
  let rec: MetadataRecord
  switch (id) {
    case 2: rec = { type: 'TopicRecord', data: decodeTopicRecord(r, version) }; break
    case 3: rec = { type: 'PartitionRecord', data: decodePartitionRecord(r, version) }; break
    case 4: rec = { type: 'ConfigRecord', data: decodeConfigRecord(r, version) }; break
    case 5: rec = { type: 'PartitionChangeRecord', data: decodePartitionChangeRecord(r, version) }; break
    case 9: rec = { type: 'RemoveTopicRecord', data: decodeRemoveTopicRecord(r, version) }; break
    case 12: rec = { type: 'FeatureLevelRecord', data: decodeFeatureLevelRecord(r, version) }; break
    case 15: rec = { type: 'ProducerIdsRecord', data: decodeProducerIdsRecord(r, version) }; break
    case 14: rec = { type: 'ClientQuotaRecord', data: decodeClientQuotaRecord(r, version) }; break
    default: throw new DecodeError(`metadata record type ${id} is not handled by this version of samsa`)
  }
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} trailing bytes after metadata record type ${id}`)
  return rec
}
