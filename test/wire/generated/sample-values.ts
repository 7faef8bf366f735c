// Builds messages from the generated schema: one with a non-default value in every field present at a
// version (or null where the version allows it), and the defaults decoders must fill in elsewhere.
import type { FieldSchema, MessageSchema } from '../../../src/wire/generated/schema.js'
import { ZERO_UUID } from '../../../src/wire/uuid.js'

export type Variant = 'values' | 'nulls'

const PRIMS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'uuid', 'bytes', 'records'])
const SAMPLE_UUID = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]).toString('base64url')

export function inRange (r: readonly [number, number] | null, v: number): boolean {
  return r !== null && v >= r[0] && v <= r[1]
}

function primSample (type: string, f: FieldSchema, salt: number): unknown {
  const d = f.default
  switch (type) {
    case 'bool': return d !== true
    case 'int8': return d === 7 + salt ? 8 + salt : 7 + salt
    case 'int16': return d === 300 + salt ? 301 + salt : 300 + salt
    case 'uint16': return 65000 + salt
    case 'int32': return d === 70000 + salt ? 70001 + salt : -70000 - salt
    case 'uint32': return 4000000000 + salt
    case 'int64': return -1234567890123n - BigInt(salt)
    case 'float64': return 2.5 + salt
    case 'string': return `s-${f.name}-${salt}-é`
    case 'uuid': return SAMPLE_UUID
    case 'bytes': return Buffer.from([1, 2, 3, salt & 0xff])
    case 'records': return Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, salt & 0xff])
  }
  throw new Error(`no sample for ${type}`)
}

function primDefault (type: string, f: FieldSchema): unknown {
  const d = f.default
  if (d === null) return null
  switch (type) {
    case 'int64': return BigInt(d as string)
    case 'uuid': return ZERO_UUID
    case 'bytes': return Buffer.alloc(0)
    case 'records': return null
    default: return d
  }
}

export class Sampler {
  constructor (readonly schema: MessageSchema) {}

  /** The value every decoder must produce for a field the version lacks. */
  defaultOf (f: FieldSchema): unknown {
    if (f.default === null) return null
    if (f.type.startsWith('[]')) return []
    if (!PRIMS.has(f.type)) return this.defaultStruct(f.type)
    return primDefault(f.type, f)
  }

  defaultStruct (name: string): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const f of this.structFields(name)) out[f.name] = this.defaultOf(f)
    return out
  }

  structFields (name: string): readonly FieldSchema[] {
    const s = this.schema.structs[name]
    if (!s) throw new Error(`no struct ${name} in ${this.schema.name}`)
    return s
  }

  /** A full message at version v: samples in present fields, defaults elsewhere. */
  build (v: number, variant: Variant, struct = this.schema.name, depth = 0): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    let salt = depth * 10
    for (const f of this.structFields(struct)) {
      salt++
      out[f.name] = inRange(f.versions, v) ? this.sample(f, v, variant, salt, depth) : this.defaultOf(f)
    }
    return out
  }

  sample (f: FieldSchema, v: number, variant: Variant, salt: number, depth: number): unknown {
    if (variant === 'nulls' && inRange(f.nullable, v)) return null
    if (f.type.startsWith('[]')) {
      const elem = f.type.slice(2)
      if (PRIMS.has(elem)) return [primSample(elem, f, salt), primSample(elem, f, salt + 1)]
      return [this.build(v, variant, elem, depth + 1)]
    }
    if (!PRIMS.has(f.type)) return this.build(v, variant, f.type, depth + 1)
    return primSample(f.type, f, salt)
  }

  /** A sample for a field at a version where it exists, for tests of fields a version lacks. */
  sampleAnyVersion (f: FieldSchema): unknown {
    return this.sample(f, f.versions![0], 'values', 99, 0)
  }

  /** The same message with the keys of absent fields removed, at every depth. */
  sparse (m: Record<string, unknown>, v: number, struct = this.schema.name): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const f of this.structFields(struct)) {
      if (!inRange(f.versions, v)) continue
      const x = m[f.name]
      if (x !== null && !PRIMS.has(f.type.replace(/^\[\]/, ''))) {
        const elem = f.type.replace(/^\[\]/, '')
        out[f.name] = Array.isArray(x) ? x.map(e => this.sparse(e as Record<string, unknown>, v, elem)) : this.sparse(x as Record<string, unknown>, v, elem)
      } else out[f.name] = x
    }
    return out
  }
}
