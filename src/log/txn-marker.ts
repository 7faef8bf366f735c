// Transaction markers (Kafka's EndTxnMarker control records): one control batch, transactional, with the
// producer's id and epoch and no sequence, holding one record whose key is int16 version 0 + int16 type
// (0 abort, 1 commit) and whose value is int16 version 0 + int32 coordinator epoch.
import { encodeBatch } from '../wire/records.js'
import { BatchView, BATCH_HEADER_SIZE } from '../wire/record-batch.js'
import { Reader } from '../wire/reader.js'
import { DecodeError } from '../wire/decode-error.js'

export const ABORT = 0
export const COMMIT = 1

export interface Marker { producerId: bigint, producerEpoch: number, coordinatorEpoch: number, commit: boolean }

export async function encodeMarkerBatch (m: Marker, timestamp: bigint = BigInt(Date.now())): Promise<Buffer> {
  const key = Buffer.alloc(4)
  key.writeInt16BE(0, 0)
  key.writeInt16BE(m.commit ? COMMIT : ABORT, 2)
  const value = Buffer.alloc(6)
  value.writeInt16BE(0, 0)
  value.writeInt32BE(m.coordinatorEpoch, 2)
  return await encodeBatch({ records: [{ key, value, timestamp }], isControl: true, isTransactional: true, producerId: m.producerId, producerEpoch: m.producerEpoch, baseSequence: -1 })
}

/**
 * Reads the marker out of an uncompressed control batch; null for control batches that are not
 * transaction markers (Kafka has others, e.g. KRaft's). Throws DecodeError on malformed bytes.
 */
export function decodeMarker (batch: Buffer, at = 0): Marker | null {
  const v = new BatchView(batch, at)
  if (v.compression !== 0) throw new DecodeError('compressed control batch')
  const r = new Reader(batch, at + BATCH_HEADER_SIZE, at + v.size)
  r.varint() // record length
  r.int8() // attributes
  r.varlong() // timestamp delta
  r.varint() // offset delta
  const keyLen = r.varint()
  if (keyLen < 4) throw new DecodeError(`control record key of ${keyLen} bytes`)
  const kr = new Reader(r.raw(keyLen))
  kr.int16()
  const type = kr.int16()
  if (type !== ABORT && type !== COMMIT) return null
  const valueLen = r.varint()
  let coordinatorEpoch = 0
  if (valueLen >= 6) {
    const vr = new Reader(r.raw(valueLen))
    vr.int16()
    coordinatorEpoch = vr.int32()
  }
  return { producerId: v.producerId, producerEpoch: v.producerEpoch, coordinatorEpoch, commit: type === COMMIT }
}
