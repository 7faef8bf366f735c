// The embedded consumer protocol a classic member speaks (ConsumerProtocolSubscription in JoinGroup
// metadata, ConsumerProtocolAssignment in SyncGroup), as Kafka's ConsumerProtocol reads and writes it:
// an int16 version prefix, then the struct at that version. Newer versions than Kafka knows are read at
// its highest one, as Kafka's deserializer does (fields are only ever appended).
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { DecodeError } from '../wire/decode-error.js'
import { decodeConsumerProtocolSubscription, type ConsumerProtocolSubscription } from '../wire/generated/data/consumer-protocol-subscription.js'
import { decodeConsumerProtocolAssignment, encodeConsumerProtocolAssignment, type ConsumerProtocolAssignment } from '../wire/generated/data/consumer-protocol-assignment.js'

const HIGHEST = 3

function versionOf (r: Reader): number {
  const v = r.int16()
  if (v < 0) throw new DecodeError(`negative consumer protocol version ${v}`)
  return Math.min(v, HIGHEST)
}

/** Throws DecodeError on malformed bytes. */
export function decodeSubscription (b: Buffer): ConsumerProtocolSubscription & { version: number } {
  const r = new Reader(b)
  const version = versionOf(r)
  return { ...decodeConsumerProtocolSubscription(r, version), version }
}

/** An empty buffer is an empty assignment (a member that never synced); throws DecodeError otherwise. */
export function decodeAssignment (b: Buffer): ConsumerProtocolAssignment {
  if (b.length === 0) return { assignedPartitions: [], userData: null }
  const r = new Reader(b)
  return decodeConsumerProtocolAssignment(r, versionOf(r))
}

/** The version a subscription was written at (Kafka answers SyncGroup at it), or 0 when unreadable. */
export function subscriptionVersion (b: Buffer): number {
  try {
    return b.length < 2 ? 0 : Math.max(0, Math.min(b.readInt16BE(0), HIGHEST))
  } catch {
    return 0
  }
}

export function encodeAssignment (partitions: { topic: string, partitions: number[] }[], version: number): Buffer {
  const w = new Writer(64).int16(version)
  encodeConsumerProtocolAssignment(w, version, { assignedPartitions: partitions, userData: null })
  return w.toBuffer()
}
