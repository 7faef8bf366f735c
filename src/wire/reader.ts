// A bounds-checked cursor over a Buffer. Every read checks remaining length first so truncated input
// raises DecodeError instead of reading garbage or throwing a RangeError from Buffer internals.
import { DecodeError } from './decode-error.js'
import { uuidToString } from './uuid.js'

export class Reader {
  offset: number
  readonly end: number

  constructor (readonly buf: Buffer, offset = 0, end = buf.length) {
    this.offset = offset
    this.end = end
  }

  get remaining (): number { return this.end - this.offset }

  private need (n: number): number {
    const at = this.offset
    if (n < 0 || at + n > this.end) throw new DecodeError(`need ${n} bytes, have ${this.end - at}`, at)
    this.offset = at + n
    return at
  }

  int8 (): number { return this.buf.readInt8(this.need(1)) }
  uint8 (): number { return this.buf[this.need(1)]! }
  bool (): boolean { return this.buf[this.need(1)]! !== 0 }
  int16 (): number { return this.buf.readInt16BE(this.need(2)) }
  uint16 (): number { return this.buf.readUInt16BE(this.need(2)) }
  int32 (): number { return this.buf.readInt32BE(this.need(4)) }
  uint32 (): number { return this.buf.readUInt32BE(this.need(4)) }
  int64 (): bigint { return this.buf.readBigInt64BE(this.need(8)) }
  float64 (): number { return this.buf.readDoubleBE(this.need(8)) }
  uuid (): string { const at = this.need(16); return uuidToString(this.buf.subarray(at, at + 16)) }

  /** Zero-copy slice of the next n bytes. */
  raw (n: number): Buffer { const at = this.need(n); return this.buf.subarray(at, at + n) }

  /** Unsigned LEB128 varint, at most 5 bytes (a uint32). */
  uvarint (): number {
    let result = 0
    let shift = 0
    const start = this.offset
    for (let i = 0; i < 5; i++) {
      if (this.offset >= this.end) throw new DecodeError('truncated varint', start)
      const b = this.buf[this.offset++]!
      result += (b & 0x7f) * 2 ** shift
      if ((b & 0x80) === 0) return result
      shift += 7
    }
    throw new DecodeError('varint longer than 5 bytes', start)
  }

  /** Zigzag signed varint (record bodies). */
  varint (): number {
    const u = this.uvarint()
    return (u % 2 === 0) ? u / 2 : -(u + 1) / 2
  }

  /** Zigzag signed varlong (record bodies), up to 10 bytes. */
  varlong (): bigint {
    let result = 0n
    let shift = 0n
    const start = this.offset
    for (let i = 0; i < 10; i++) {
      if (this.offset >= this.end) throw new DecodeError('truncated varlong', start)
      const b = this.buf[this.offset++]!
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return (result >> 1n) ^ -(result & 1n)
      shift += 7n
    }
    throw new DecodeError('varlong longer than 10 bytes', start)
  }

  private utf8 (n: number): string {
    const at = this.need(n)
    return this.buf.toString('utf8', at, at + n)
  }

  string (): string {
    const n = this.int16()
    if (n < 0) throw new DecodeError('null where a non-null string is required', this.offset - 2)
    return this.utf8(n)
  }

  nullableString (): string | null {
    const n = this.int16()
    if (n < 0) return null
    return this.utf8(n)
  }

  compactString (): string {
    const n = this.uvarint()
    if (n === 0) throw new DecodeError('null where a non-null compact string is required', this.offset - 1)
    return this.utf8(n - 1)
  }

  compactNullableString (): string | null {
    const n = this.uvarint()
    if (n === 0) return null
    return this.utf8(n - 1)
  }

  bytes (): Buffer {
    const n = this.int32()
    if (n < 0) throw new DecodeError('null where non-null bytes are required', this.offset - 4)
    return this.raw(n)
  }

  nullableBytes (): Buffer | null {
    const n = this.int32()
    if (n < 0) return null
    return this.raw(n)
  }

  compactBytes (): Buffer {
    const n = this.uvarint()
    if (n === 0) throw new DecodeError('null where non-null compact bytes are required', this.offset - 1)
    return this.raw(n - 1)
  }

  compactNullableBytes (): Buffer | null {
    const n = this.uvarint()
    if (n === 0) return null
    return this.raw(n - 1)
  }

  /** Array length: -1 (null) or a count that cannot exceed the remaining bytes (each element is ≥1 byte, or 0 for empty structs). */
  arrayLength (): number {
    const at = this.offset
    const n = this.int32()
    if (n < -1) throw new DecodeError(`invalid array length ${n}`, at)
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds remaining ${this.remaining} bytes`, at)
    return n
  }

  compactArrayLength (): number {
    const at = this.offset
    const n = this.uvarint() - 1
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds remaining ${this.remaining} bytes`, at)
    return n
  }
}
