// Producer state snapshots in Kafka's file format (ProducerStateManager.writeSnapshot, version 1):
// int16 version, uint32 CRC-32C of what follows, int32 entry count, then per producer: producer id
// (int64), epoch (int16), last sequence (int32), last offset (int64), offset delta (int32), timestamp
// (int64), coordinator epoch (int32), current transaction first offset (int64). As in Kafka only the last
// batch of each producer survives a snapshot. Files are named <20-digit offset>.snapshot: the state after
// every batch below that offset.
import { open, readdir, rename, rm, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32c } from '../wire/crc32c.js'
import { syncDir } from './checkpoint.js'
import { ProducerStateEntry } from './producer-state.js'

export const SNAPSHOT_SUFFIX = '.snapshot'
const VERSION = 1
const HEADER = 2 + 4 + 4
const ENTRY = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8
const NAME = /^(\d{20})\.snapshot$/

export class CorruptSnapshotError extends Error {
  override name = 'CorruptSnapshotError'
}

export function snapshotFileName (offset: bigint): string {
  return offset.toString().padStart(20, '0') + SNAPSHOT_SUFFIX
}

export function encodeSnapshot (entries: Iterable<ProducerStateEntry>): Buffer {
  const list = [...entries]
  const buf = Buffer.alloc(HEADER + ENTRY * list.length)
  buf.writeInt16BE(VERSION, 0)
  buf.writeInt32BE(list.length, 6)
  let at = HEADER
  for (const e of list) {
    const last = e.batches[e.batches.length - 1]
    buf.writeBigInt64BE(e.producerId, at)
    buf.writeInt16BE(e.producerEpoch, at + 8)
    buf.writeInt32BE(last?.lastSeq ?? -1, at + 10)
    buf.writeBigInt64BE(last?.lastOffset ?? -1n, at + 14)
    buf.writeInt32BE(last?.offsetDelta ?? 0, at + 22)
    buf.writeBigInt64BE(e.lastTimestamp, at + 26)
    buf.writeInt32BE(e.coordinatorEpoch, at + 34)
    buf.writeBigInt64BE(e.currentTxnFirstOffset, at + 38)
    at += ENTRY
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)), 2)
  return buf
}

export function decodeSnapshot (buf: Buffer): ProducerStateEntry[] {
  if (buf.length < HEADER) throw new CorruptSnapshotError(`snapshot of ${buf.length} bytes is shorter than its header`)
  const version = buf.readInt16BE(0)
  if (version !== VERSION) throw new CorruptSnapshotError(`unknown snapshot version ${version}`)
  if (buf.readUInt32BE(2) !== crc32c(buf.subarray(6))) throw new CorruptSnapshotError('snapshot CRC mismatch')
  const n = buf.readInt32BE(6)
  if (n < 0 || buf.length !== HEADER + n * ENTRY) throw new CorruptSnapshotError(`snapshot says ${n} entries but holds ${buf.length - HEADER} bytes of them`)
  const out: ProducerStateEntry[] = []
  for (let i = 0, at = HEADER; i < n; i++, at += ENTRY) {
    const e = new ProducerStateEntry(buf.readBigInt64BE(at), buf.readInt16BE(at + 8), buf.readInt32BE(at + 34), buf.readBigInt64BE(at + 26), buf.readBigInt64BE(at + 38))
    const lastSeq = buf.readInt32BE(at + 10)
    const lastOffset = buf.readBigInt64BE(at + 14)
    if (lastOffset >= 0n) e.batches.push({ lastSeq, lastOffset, offsetDelta: buf.readInt32BE(at + 22), timestamp: e.lastTimestamp })
    out.push(e)
  }
  return out
}

/** Snapshot offsets present in `dir`, ascending. */
export async function listSnapshots (dir: string): Promise<bigint[]> {
  const out: bigint[] = []
  for (const name of await readdir(dir)) {
    const m = NAME.exec(name)
    if (m !== null) out.push(BigInt(m[1]!))
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

export async function readSnapshot (dir: string, offset: bigint): Promise<ProducerStateEntry[]> {
  return decodeSnapshot(await readFile(join(dir, snapshotFileName(offset))))
}

/** Writes atomically (temp file, fsync, rename), like Kafka's snapshot writes. */
export async function writeSnapshot (dir: string, offset: bigint, content: Iterable<ProducerStateEntry> | { bytes: Buffer }): Promise<void> {
  const path = join(dir, snapshotFileName(offset))
  const tmp = `${path}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile('bytes' in content ? content.bytes : encodeSnapshot(content))
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  await syncDir(dir)
}

export async function deleteSnapshot (dir: string, offset: bigint): Promise<void> {
  await rm(join(dir, snapshotFileName(offset)), { force: true })
}
