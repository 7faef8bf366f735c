// The few protobuf wire-format reads an OTLP MetricsData decoder needs (varint, 64-bit, length-delimited,
// 32-bit). Every read is bounds-checked and throws ProtobufError, so arbitrary client bytes never crash the
// broker; unknown fields are skipped by wire type, as protobuf parsers do.

export class ProtobufError extends Error {
  override name = 'ProtobufError'
}

export const WIRE_VARINT = 0
export const WIRE_I64 = 1
export const WIRE_LEN = 2
export const WIRE_I32 = 5

/** Deepest nesting accepted: OTLP metrics nest about eight deep; AnyValue arrays/kvlists can recurse. */
const MAX_DEPTH = 64

export class ProtoReader {
  private pos: number
  private readonly end: number

  constructor (private readonly buf: Buffer, start = 0, end = buf.length, readonly depth = 0) {
    if (depth > MAX_DEPTH) throw new ProtobufError(`messages nested deeper than ${MAX_DEPTH}`)
    this.pos = start
    this.end = end
  }

  get done (): boolean {
    return this.pos >= this.end
  }

  /** Field number and wire type of the next field. */
  tag (): { field: number, wire: number } {
    const v = this.varint()
    const field = Number(v >> 3n)
    const wire = Number(v & 7n)
    if (field === 0 || field > 0x1fffffff) throw new ProtobufError(`invalid field number ${field} at offset ${this.pos}`)
    return { field, wire }
  }

  varint (): bigint {
    let result = 0n
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint')
      const b = this.buf[this.pos++]!
      result |= BigInt(b & 0x7f) << BigInt(7 * i)
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result)
    }
    throw new ProtobufError('varint longer than 10 bytes')
  }

  uint32 (): number {
    return Number(BigInt.asUintN(32, this.varint()))
  }

  bool (): boolean {
    return this.varint() !== 0n
  }

  fixed64 (): bigint {
    return this.take(8).readBigUInt64LE(0)
  }

  sfixed64 (): bigint {
    return this.take(8).readBigInt64LE(0)
  }

  double (): number {
    return this.take(8).readDoubleLE(0)
  }

  bytes (): Buffer {
    const n = this.varint()
    if (n > BigInt(this.end - this.pos)) throw new ProtobufError(`length ${n} runs past the end of the message`)
    return this.take(Number(n))
  }

  string (): string {
    return this.bytes().toString('utf8')
  }

  /** A reader over the next length-delimited field, one level deeper. */
  message (): ProtoReader {
    const b = this.bytes()
    return new ProtoReader(b, 0, b.length, this.depth + 1)
  }

  skip (wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return
      case WIRE_I64: this.take(8); return
      case WIRE_LEN: this.bytes(); return
      case WIRE_I32: this.take(4); return
      default: throw new ProtobufError(`unsupported wire type ${wire}`)
    }
  }

  /**
   * Values of a repeated scalar field, packed (one length-delimited run) or not (one value per tag), as
   * proto3 parsers accept either.
   */
  repeated<T> (wire: number, scalarWire: number, read: (r: ProtoReader) => T, out: T[]): void {
    if (wire === WIRE_LEN) {
      const r = this.message()
      while (!r.done) out.push(read(r))
      return
    }
    this.expect(wire, scalarWire)
    out.push(read(this))
  }

  expect (wire: number, want: number): void {
    if (wire !== want) throw new ProtobufError(`wire type ${wire} where ${want} was expected`)
  }

  private take (n: number): Buffer {
    if (this.pos + n > this.end) throw new ProtobufError(`truncated: ${n} bytes wanted, ${this.end - this.pos} left`)
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }
}
