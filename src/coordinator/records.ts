// Kafka's own __consumer_offsets records: key = int16 record type + key struct (v0), value = int16 version +
// value struct, null value = tombstone. Classic-group and KIP-848 consumer-group types are produced; the
// loader reads those at every version Kafka ever wrote and skips the others (share and streams groups, the
// PartitionMetadata record Kafka 4.1 replaced by the group's metadata hash) by type, so a log written by a
// newer Kafka still loads.
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { encodeOffsetCommitKey, decodeOffsetCommitKey } from '../wire/generated/coordinator-records/offset-commit-key.js'
import { encodeOffsetCommitValue, decodeOffsetCommitValue, type OffsetCommitValue } from '../wire/generated/coordinator-records/offset-commit-value.js'
import { encodeGroupMetadataKey, decodeGroupMetadataKey } from '../wire/generated/coordinator-records/group-metadata-key.js'
import { encodeGroupMetadataValue, decodeGroupMetadataValue, type GroupMetadataValue } from '../wire/generated/coordinator-records/group-metadata-value.js'
import { decodeLegacyOffsetCommitKey } from '../wire/generated/coordinator-records/legacy-offset-commit-key.js'
import type { Init } from '../wire/types.js'
import { encodeConsumerGroupMetadataKey, decodeConsumerGroupMetadataKey } from '../wire/generated/coordinator-records/consumer-group-metadata-key.js'
import { encodeConsumerGroupMetadataValue, decodeConsumerGroupMetadataValue, type ConsumerGroupMetadataValue } from '../wire/generated/coordinator-records/consumer-group-metadata-value.js'
import { encodeConsumerGroupMemberMetadataKey, decodeConsumerGroupMemberMetadataKey } from '../wire/generated/coordinator-records/consumer-group-member-metadata-key.js'
import { encodeConsumerGroupMemberMetadataValue, decodeConsumerGroupMemberMetadataValue, type ConsumerGroupMemberMetadataValue } from '../wire/generated/coordinator-records/consumer-group-member-metadata-value.js'
import { encodeConsumerGroupTargetAssignmentMetadataKey, decodeConsumerGroupTargetAssignmentMetadataKey } from '../wire/generated/coordinator-records/consumer-group-target-assignment-metadata-key.js'
import { encodeConsumerGroupTargetAssignmentMetadataValue, decodeConsumerGroupTargetAssignmentMetadataValue, type ConsumerGroupTargetAssignmentMetadataValue } from '../wire/generated/coordinator-records/consumer-group-target-assignment-metadata-value.js'
import { encodeConsumerGroupTargetAssignmentMemberKey, decodeConsumerGroupTargetAssignmentMemberKey } from '../wire/generated/coordinator-records/consumer-group-target-assignment-member-key.js'
import { encodeConsumerGroupTargetAssignmentMemberValue, decodeConsumerGroupTargetAssignmentMemberValue, type ConsumerGroupTargetAssignmentMemberValue } from '../wire/generated/coordinator-records/consumer-group-target-assignment-member-value.js'
import { encodeConsumerGroupCurrentMemberAssignmentKey, decodeConsumerGroupCurrentMemberAssignmentKey } from '../wire/generated/coordinator-records/consumer-group-current-member-assignment-key.js'
import { encodeConsumerGroupCurrentMemberAssignmentValue, decodeConsumerGroupCurrentMemberAssignmentValue, type ConsumerGroupCurrentMemberAssignmentValue } from '../wire/generated/coordinator-records/consumer-group-current-member-assignment-value.js'
import { encodeConsumerGroupRegularExpressionKey, decodeConsumerGroupRegularExpressionKey } from '../wire/generated/coordinator-records/consumer-group-regular-expression-key.js'
import { encodeConsumerGroupRegularExpressionValue, decodeConsumerGroupRegularExpressionValue, type ConsumerGroupRegularExpressionValue } from '../wire/generated/coordinator-records/consumer-group-regular-expression-value.js'

export const LEGACY_OFFSET_COMMIT_TYPE = 0
export const OFFSET_COMMIT_TYPE = 1
export const GROUP_METADATA_TYPE = 2
/** What Kafka 4.x writes (metadata.version >= 2.3): v3 values, v1 only to carry an explicit expire timestamp. */
export const OFFSET_COMMIT_VALUE_VERSION = 3
export const OFFSET_COMMIT_VALUE_WITH_EXPIRY_VERSION = 1
export const GROUP_METADATA_VALUE_VERSION = 3
export const CONSUMER_GROUP_METADATA_TYPE = 3
export const CONSUMER_GROUP_PARTITION_METADATA_TYPE = 4
export const CONSUMER_GROUP_MEMBER_METADATA_TYPE = 5
export const CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_TYPE = 6
export const CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_TYPE = 7
export const CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_TYPE = 8
export const CONSUMER_GROUP_REGULAR_EXPRESSION_TYPE = 16

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

/** One record type of a consumer group: key struct and value struct, both at version 0. */
function consumerRecord<K, V> (type: number, encodeKey: (w: Writer, v: number, k: K) => void, key: K, encodeValue: (w: Writer, v: number, m: V) => void, value: V | null): CoordinatorRecord {
  const k = new Writer(64).int16(type)
  encodeKey(k, 0, key)
  if (value === null) return { key: k.toBuffer(), value: null }
  const v = new Writer(128).int16(0)
  encodeValue(v, 0, value)
  return { key: k.toBuffer(), value: v.toBuffer() }
}

export function consumerGroupMetadataRecord (groupId: string, value: Init<ConsumerGroupMetadataValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_METADATA_TYPE, encodeConsumerGroupMetadataKey, { groupId }, encodeConsumerGroupMetadataValue, value)
}

export function consumerGroupMemberMetadataRecord (groupId: string, memberId: string, value: Init<ConsumerGroupMemberMetadataValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_MEMBER_METADATA_TYPE, encodeConsumerGroupMemberMetadataKey, { groupId, memberId }, encodeConsumerGroupMemberMetadataValue, value)
}

export function consumerGroupTargetAssignmentMetadataRecord (groupId: string, value: Init<ConsumerGroupTargetAssignmentMetadataValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_TYPE, encodeConsumerGroupTargetAssignmentMetadataKey, { groupId }, encodeConsumerGroupTargetAssignmentMetadataValue, value)
}

export function consumerGroupTargetAssignmentMemberRecord (groupId: string, memberId: string, value: Init<ConsumerGroupTargetAssignmentMemberValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_TYPE, encodeConsumerGroupTargetAssignmentMemberKey, { groupId, memberId }, encodeConsumerGroupTargetAssignmentMemberValue, value)
}

export function consumerGroupCurrentMemberAssignmentRecord (groupId: string, memberId: string, value: Init<ConsumerGroupCurrentMemberAssignmentValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_TYPE, encodeConsumerGroupCurrentMemberAssignmentKey, { groupId, memberId }, encodeConsumerGroupCurrentMemberAssignmentValue, value)
}

export function consumerGroupRegularExpressionRecord (groupId: string, regularExpression: string, value: Init<ConsumerGroupRegularExpressionValue> | null): CoordinatorRecord {
  return consumerRecord(CONSUMER_GROUP_REGULAR_EXPRESSION_TYPE, encodeConsumerGroupRegularExpressionKey, { groupId, regularExpression }, encodeConsumerGroupRegularExpressionValue, value)
}

export type ConsumerRecord =
  | { type: 'cg-metadata', group: string, value: ConsumerGroupMetadataValue | null }
  | { type: 'cg-member', group: string, memberId: string, value: ConsumerGroupMemberMetadataValue | null }
  | { type: 'cg-target-metadata', group: string, value: ConsumerGroupTargetAssignmentMetadataValue | null }
  | { type: 'cg-target-member', group: string, memberId: string, value: ConsumerGroupTargetAssignmentMemberValue | null }
  | { type: 'cg-current', group: string, memberId: string, value: ConsumerGroupCurrentMemberAssignmentValue | null }
  | { type: 'cg-regex', group: string, regex: string, value: ConsumerGroupRegularExpressionValue | null }

export type DecodedRecord =
  | { type: 'offset', group: string, topic: string, partition: number, value: OffsetCommitValue | null }
  | { type: 'group', group: string, value: GroupMetadataValue | null }
  | ConsumerRecord
  | { type: 'other', recordType: number }

function valueOf<V> (value: Buffer | null, decode: (r: Reader, v: number) => V): V | null {
  if (value === null) return null
  const vr = new Reader(value)
  return decode(vr, vr.int16())
}

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
  switch (type) {
    case CONSUMER_GROUP_METADATA_TYPE:
      return { type: 'cg-metadata', group: decodeConsumerGroupMetadataKey(kr, 0).groupId, value: valueOf(value, decodeConsumerGroupMetadataValue) }
    case CONSUMER_GROUP_MEMBER_METADATA_TYPE: {
      const k = decodeConsumerGroupMemberMetadataKey(kr, 0)
      return { type: 'cg-member', group: k.groupId, memberId: k.memberId, value: valueOf(value, decodeConsumerGroupMemberMetadataValue) }
    }
    case CONSUMER_GROUP_TARGET_ASSIGNMENT_METADATA_TYPE:
      return { type: 'cg-target-metadata', group: decodeConsumerGroupTargetAssignmentMetadataKey(kr, 0).groupId, value: valueOf(value, decodeConsumerGroupTargetAssignmentMetadataValue) }
    case CONSUMER_GROUP_TARGET_ASSIGNMENT_MEMBER_TYPE: {
      const k = decodeConsumerGroupTargetAssignmentMemberKey(kr, 0)
      return { type: 'cg-target-member', group: k.groupId, memberId: k.memberId, value: valueOf(value, decodeConsumerGroupTargetAssignmentMemberValue) }
    }
    case CONSUMER_GROUP_CURRENT_MEMBER_ASSIGNMENT_TYPE: {
      const k = decodeConsumerGroupCurrentMemberAssignmentKey(kr, 0)
      return { type: 'cg-current', group: k.groupId, memberId: k.memberId, value: valueOf(value, decodeConsumerGroupCurrentMemberAssignmentValue) }
    }
    case CONSUMER_GROUP_REGULAR_EXPRESSION_TYPE: {
      const k = decodeConsumerGroupRegularExpressionKey(kr, 0)
      return { type: 'cg-regex', group: k.groupId, regex: k.regularExpression, value: valueOf(value, decodeConsumerGroupRegularExpressionValue) }
    }
  }
  return { type: 'other', recordType: type }
}
