// Kafka's own __consumer_offsets records: key = int16 record type + key struct (v0), value = int16 version +
// value struct, null value = tombstone. Only the classic-group types are produced; the loader reads the
// offset-commit and group-metadata types at every version Kafka ever wrote and skips the others (KIP-848,
// share and streams groups) by type, so a log written by a newer Kafka still loads.
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { encodeOffsetCommitKey, decodeOffsetCommitKey } from '../wire/generated/coordinator-records/offset-commit-key.js'
import { encodeOffsetCommitValue, decodeOffsetCommitValue, type OffsetCommitValue } from '../wire/generated/coordinator-records/offset-commit-value.js'
import { encodeGroupMetadataKey, decodeGroupMetadataKey } from '../wire/generated/coordinator-records/group-metadata-key.js'
import { encodeGroupMetadataValue, decodeGroupMetadataValue, type GroupMetadataValue } from '../wire/generated/coordinator-records/group-metadata-value.js'
import { decodeLegacyOffsetCommitKey } from '../wire/generated/coordinator-records/legacy-offset-commit-key.js'
import type { Init } from '../wire/types.js'

export const LEGACY_OFFSET_COMMIT_TYPE = 0
export const OFFSET_COMMIT_TYPE = 1
export const GROUP_METADATA_TYPE = 2
/** What Kafka 4.x writes (metadata.version >= 2.3): v3 values, v1 only to carry an explicit expire timestamp. */
export const OFFSET_COMMIT_VALUE_VERSION = 3
export const OFFSET_COMMIT_VALUE_WITH_EXPIRY_VERSION = 1
export const GROUP_METADATA_VALUE_VERSION = 3

export interface CoordinatorRecord { key: Buffer, value: Buffer | null }

export function offsetCommitRecord (group: string, topic: string, partition: number, value: Init<OffsetCommitValue> | null): CoordinatorRecord {
  const k = new Writer(64).int16(OFFSET_COMMIT_TYPE)
  encodeOffsetCommitKey(k, 0, { group, topic, partition })
  if (value === null) return { key: k.toBuffer(), value: null }
  const version = value.expireTimestamp !== undefined && value.expireTimestamp !== -1n ? OFFSET_COMMIT_VALUE_WITH_EXPIRY_VERSION : OFFSET_COMMIT_VALUE_VERSION
  const v = new Writer(64).int16(version)
  encodeOffsetCommitValue(v, version, version === OFFSET_COMMIT_VALUE_VERSION ? { ...value, expireTimestamp: undefined } : { ...value, leaderEpoch: undefined })
  return { key: k.toBuffer(), value: v.toBuffer() }
}

export function groupMetadataRecord (group: string, value: Init<GroupMetadataValue> | null): CoordinatorRecord {
  const k = new Writer(64).int16(GROUP_METADATA_TYPE)
  encodeGroupMetadataKey(k, 0, { group })
  if (value === null) return { key: k.toBuffer(), value: null }
  const v = new Writer(256).int16(GROUP_METADATA_VALUE_VERSION)
  encodeGroupMetadataValue(v, GROUP_METADATA_VALUE_VERSION, value)
  return { key: k.toBuffer(), value: v.toBuffer() }
}

export type DecodedRecord =
  | { type: 'offset', group: string, topic: string, partition: number, value: OffsetCommitValue | null }
  | { type: 'group', group: string, value: GroupMetadataValue | null }
  | { type: 'other', recordType: number }

/** Decodes one record; throws DecodeError on malformed bytes. */
export function decodeCoordinatorRecord (key: Buffer, value: Buffer | null): DecodedRecord {
  const kr = new Reader(key)
  const type = kr.int16()
  if (type === LEGACY_OFFSET_COMMIT_TYPE || type === OFFSET_COMMIT_TYPE) {
    const k = type === OFFSET_COMMIT_TYPE ? decodeOffsetCommitKey(kr, 0) : decodeLegacyOffsetCommitKey(kr, 0)
    if (value === null) return { type: 'offset', ...k, value: null }
    const vr = new Reader(value)
    return { type: 'offset', ...k, value: decodeOffsetCommitValue(vr, vr.int16()) }
  }
  if (type === GROUP_METADATA_TYPE) {
    const k = decodeGroupMetadataKey(kr, 0)
    if (value === null) return { type: 'group', group: k.group, value: null }
    const vr = new Reader(value)
    return { type: 'group', group: k.group, value: decodeGroupMetadataValue(vr, vr.int16()) }
  }
  return { type: 'other', recordType: type }
}
