// A growable big-endian writer. Large byte payloads (record sets in fetch responses) are kept as
// references rather than copied, so a response is a list of chunks handed to socket.write in order.
import { uuidToBytes } from './uuid.js'

const INITIAL = 256
const REF_THRESHOLD = 4096

export class Writer {
  private buf: Buffer
  private pos = 0
  private readonly chunks: Buffer[] = []
  private flushed = 0

  constructor (initial = INITIAL) {
    this.buf = Buffer.allocUnsafe(initial)
  }

  /** Total bytes written so far. */
  get length (): number { return this.flushed + this.pos }

  private ensure (n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = Buffer.allocUnsafe(size)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  int8 (v: number): this { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; return this }
  uint8 (v: number): this { this.ensure(1); this.buf[this.pos++] = v & 0xff; return this }
  bool (v: boolean): this { this.ensure(1); this.buf[this.pos++] = v ? 1 : 0; return this }
  int16 (v: number): this { this.ensure(2); this.buf.writeInt16BE(v, this.pos); this.pos += 2; return this }
  uint16 (v: number): this { this.ensure(2); this.buf.writeUInt16BE(v, this.pos); this.pos += 2; return this }
  int32 (v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.pos); this.pos += 4; return this }
  uint32 (v: number): this { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.pos); this.pos += 4; return this }
  int64 (v: bigint): this { this.ensure(8); this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos); this.pos += 8; return this }
  float64 (v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this }
  uuid (id: string): this { return this.raw(uuidToBytes(id)) }

  /** Appends bytes; big buffers are referenced, not copied, so the caller must not mutate them afterwards. */
  raw (b: Buffer): this {
    if (b.length >= REF_THRESHOLD) {
      if (this.pos > 0) {
        this.chunks.push(this.buf.subarray(0, this.pos))
        this.flushed += this.pos
        this.buf = Buffer.allocUnsafe(Math.max(INITIAL, this.buf.length - this.pos))
        this.pos = 0
      }
      this.chunks.push(b)
      this.flushed += b.length
      return this
    }
    this.ensure(b.length)
    b.copy(this.buf, this.pos)
    this.pos += b.length
    return this
  }

  uvarint (v: number): this {
    this.ensure(5)
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80
      v = Math.floor(v / 128)
    }
    this.buf[this.pos++] = v
    return this
  }

  varint (v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1)
  }

  varlong (v: bigint): this {
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n))
    this.ensure(10)
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80
      u >>= 7n
    }
    this.buf[this.pos++] = Number(u)
    return this
  }

  string (s: string): this {
    const n = Buffer.byteLength(s)
    this.int16(n)
    this.ensure(n)
    this.pos += this.buf.write(s, this.pos, 'utf8')
    return this
  }

  nullableString (s: string | null): this {
    if (s === null) return this.int16(-1)
    return this.string(s)
  }

  compactString (s: string): this {
    const n = Buffer.byteLength(s)
    this.uvarint(n + 1)
    this.ensure(n)
    this.pos += this.buf.write(s, this.pos, 'utf8')
    return this
  }

  compactNullableString (s: string | null): this {
    if (s === null) return this.uvarint(0)
    return this.compactString(s)
  }

  bytes (b: Buffer): this { return this.int32(b.length).raw(b) }
  nullableBytes (b: Buffer | null): this { return b === null ? this.int32(-1) : this.bytes(b) }
  compactBytes (b: Buffer): this { return this.uvarint(b.length + 1).raw(b) }
  compactNullableBytes (b: Buffer | null): this { return b === null ? this.uvarint(0) : this.compactBytes(b) }

  arrayLength (n: number | null): this { return this.int32(n === null ? -1 : n) }
  compactArrayLength (n: number | null): this { return this.uvarint(n === null ? 0 : n + 1) }

  /** The written bytes as chunks, in order (no copy of referenced payloads). */
  toChunks (): Buffer[] {
    const out = this.chunks.slice()
    if (this.pos > 0) out.push(this.buf.subarray(0, this.pos))
    return out
  }

  /** The written bytes as one Buffer (copies when there is more than one chunk). */
  toBuffer (): Buffer {
    const chunks = this.toChunks()
    if (chunks.length === 1) return chunks[0]!
    return Buffer.concat(chunks, this.length)
  }
}
