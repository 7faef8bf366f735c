// Builds valid uncompressed v2 record batches for log tests, independent of the wire encoder.
import { crc32c } from '../../src/wire/crc32c.js'

function zigzagVarint (n: bigint): Buffer {
  let u = n >= 0n ? n << 1n : ((-n) << 1n) - 1n
  const out: number[] = []
  while (u >= 0x80n) { out.push(Number(u & 0x7fn) | 0x80); u >>= 7n }
  out.push(Number(u))
  return Buffer.from(out)
}

export interface TestRecord { timestamp: bigint, value?: Buffer }

export function makeBatch (records: TestRecord[], opts: { attributes?: number } = {}): Buffer {
  if (records.length === 0) throw new Error('a batch needs records')
  const baseTs = records[0]!.timestamp
  let maxTs = -1n
  const encoded = records.map((r, i) => {
    if (r.timestamp > maxTs) maxTs = r.timestamp
    const value = r.value ?? Buffer.from(`value-${i}`)
    const body = Buffer.concat([
      Buffer.from([0]),
      zigzagVarint(r.timestamp - baseTs),
      zigzagVarint(BigInt(i)),
      zigzagVarint(-1n),
      zigzagVarint(BigInt(value.length)), value,
      zigzagVarint(0n)
    ])
    return Buffer.concat([zigzagVarint(BigInt(body.length)), body])
  })
  const recordsBuf = Buffer.concat(encoded)
  const b = Buffer.alloc(61 + recordsBuf.length)
  b.writeBigInt64BE(0n, 0)
  b.writeInt32BE(b.length - 12, 8)
  b.writeInt32BE(-1, 12)
  b.writeInt8(2, 16)
  b.writeInt16BE(opts.attributes ?? 0, 21)
  b.writeInt32BE(records.length - 1, 23)
  b.writeBigInt64BE(baseTs, 27)
  b.writeBigInt64BE(maxTs, 35)
  b.writeBigInt64BE(-1n, 43)
  b.writeInt16BE(-1, 51)
  b.writeInt32BE(-1, 53)
  b.writeInt32BE(records.length, 57)
  recordsBuf.copy(b, 61)
  b.writeUInt32BE(crc32c(b.subarray(21)), 17)
  return b
}

/** A batch of `count` records with timestamps ts, ts+1, … and values of `valueSize` bytes. */
export function simpleBatch (count: number, ts = 1000n, valueSize = 10): Buffer {
  const recs: TestRecord[] = []
  for (let i = 0; i < count; i++) recs.push({ timestamp: ts + BigInt(i), value: Buffer.alloc(valueSize, 97 + (i % 26)) })
  return makeBatch(recs)
}

export interface ParsedBatch { baseOffset: bigint, lastOffset: bigint, size: number, leaderEpoch: number, maxTimestamp: bigint }

/** Splits concatenated batches and checks each CRC. */
export function parseBatches (buf: Buffer): ParsedBatch[] {
  const out: ParsedBatch[] = []
  let pos = 0
  while (pos < buf.length) {
    const size = buf.readInt32BE(pos + 8) + 12
    if (pos + size > buf.length) throw new Error(`partial batch at ${pos}`)
    const crc = buf.readUInt32BE(pos + 17)
    if (crc32c(buf.subarray(pos + 21, pos + size)) !== crc) throw new Error(`bad CRC at ${pos}`)
    const baseOffset = buf.readBigInt64BE(pos)
    out.push({ baseOffset, lastOffset: baseOffset + BigInt(buf.readInt32BE(pos + 23)), size, leaderEpoch: buf.readInt32BE(pos + 12), maxTimestamp: buf.readBigInt64BE(pos + 35) })
    pos += size
  }
  return out
}

export interface CapturedLog { lines: Array<{ level: string, obj: object, msg?: string }>, info: (o: object, m?: string) => void, warn: (o: object, m?: string) => void, error: (o: object, m?: string) => void }

export function captureLogger (): CapturedLog {
  const lines: CapturedLog['lines'] = []
  return {
    lines,
    info: (obj, msg) => { lines.push({ level: 'info', obj, msg }) },
    warn: (obj, msg) => { lines.push({ level: 'warn', obj, msg }) },
    error: (obj, msg) => { lines.push({ level: 'error', obj, msg }) }
  }
}
