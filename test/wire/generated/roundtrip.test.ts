// Every generated message at every valid version: encode a message with non-default values in every
// present field, decode, compare; re-encode and compare bytes; then truncations and corruptions must
// raise DecodeError and nothing else.
import t from 'tap'
import { MESSAGE_SCHEMAS, type MessageSchema } from '../../../src/wire/generated/schema.js'
import { Reader } from '../../../src/wire/reader.js'
import { Writer } from '../../../src/wire/writer.js'
import { DecodeError } from '../../../src/wire/decode-error.js'
import { EncodeError } from '../../../src/wire/types.js'
import { Sampler, inRange, type Variant } from './sample-values.js'

type Decode = (r: Reader, v: number) => unknown
type Encode = (w: Writer, v: number, m: unknown) => void

async function codecs (s: MessageSchema): Promise<{ decode: Decode, encode: Encode }> {
  const mod = await import(`../../../src/wire/generated/${s.module}.js`) as Record<string, unknown>
  const decode = mod[`decode${s.name}`] as Decode | undefined
  const encode = mod[`encode${s.name}`] as Encode | undefined
  if (!decode || !encode) throw new Error(`${s.module} lacks codecs for ${s.name}`)
  return { decode, encode }
}

function encodeToBuffer (encode: Encode, v: number, m: unknown): Buffer {
  const w = new Writer(64)
  encode(w, v, m)
  return w.toBuffer()
}

/** Small deterministic PRNG so failures reproduce. */
function prng (seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x }
}

function decodeOutcome (decode: Decode, buf: Buffer, v: number): 'ok' | 'decode-error' | string {
  try {
    decode(new Reader(buf), v)
    return 'ok'
  } catch (e) {
    return e instanceof DecodeError ? 'decode-error' : `${(e as Error).name}: ${(e as Error).message}`
  }
}

t.test('schema covers the 89 live APIs and the record specs', async t => {
  const requests = MESSAGE_SCHEMAS.filter(s => s.kind === 'request')
  t.equal(requests.length, 89)
  t.equal(MESSAGE_SCHEMAS.filter(s => s.kind === 'response').length, 89)
  t.ok(MESSAGE_SCHEMAS.some(s => s.module === 'metadata-records/topic-record'))
  t.ok(MESSAGE_SCHEMAS.some(s => s.module === 'coordinator-records/offset-commit-value'))
  t.ok(MESSAGE_SCHEMAS.some(s => s.module === 'raft/quorum-state-data'))
  t.ok(MESSAGE_SCHEMAS.some(s => s.module === 'data/consumer-protocol-subscription'))
})

for (const schema of MESSAGE_SCHEMAS) {
  t.test(`${schema.name} (${schema.module})`, async t => {
    const { decode, encode } = await codecs(schema)
    const sampler = new Sampler(schema)
    const [lo, hi] = schema.validVersions!
    const rand = prng(schema.name.length * 7919 + lo)
    const failures: string[] = []
    let checked = 0
    for (let v = lo; v <= hi; v++) {
      for (const variant of ['values', 'nulls'] as Variant[]) {
        const where = `v${v} ${variant}`
        const full = sampler.build(v, variant)
        let bytes: Buffer
        try {
          bytes = encodeToBuffer(encode, v, full)
        } catch (e) {
          failures.push(`${where}: encode threw ${(e as Error).message}`)
          continue
        }
        const r = new Reader(bytes)
        const decoded = decode(r, v)
        if (r.offset !== bytes.length) failures.push(`${where}: decode consumed ${r.offset} of ${bytes.length}`)
        t.strictSame(decoded, full, `${where} decodes to what was encoded`)
        const again = encodeToBuffer(encode, v, decoded)
        if (!again.equals(bytes)) failures.push(`${where}: re-encoding the decoded message changed the bytes`)
        const sparse = encodeToBuffer(encode, v, sampler.sparse(full, v))
        if (!sparse.equals(bytes)) failures.push(`${where}: omitting absent fields changed the bytes`)
        checked++

        if (variant !== 'values') continue
        // Every strict prefix runs out of bytes somewhere, because the full decode consumed everything.
        const step = Math.max(1, Math.floor(bytes.length / 40))
        for (let n = 0; n < bytes.length; n += step) {
          const out = decodeOutcome(decode, bytes.subarray(0, n), v)
          if (out !== 'decode-error') failures.push(`${where}: prefix ${n}/${bytes.length} gave ${out}`)
        }
        // Corrupted bytes may still decode (most values have no invalid encodings) but must never
        // fail with anything other than DecodeError.
        for (let k = 0; k < 24 && bytes.length > 0; k++) {
          const bad = Buffer.from(bytes)
          const at = rand() % bad.length
          const kind = k % 3
          if (kind === 0) bad[at] = rand() & 0xff
          else if (kind === 1) bad.fill(0xff, at, Math.min(bad.length, at + 6))
          else bad.fill(0x80, at, Math.min(bad.length, at + 4))
          const out = decodeOutcome(decode, bad, v)
          if (out !== 'ok' && out !== 'decode-error') failures.push(`${where}: corruption at ${at} gave ${out}`)
        }
      }

      // Top-level fields this version lacks: non-default values are rejected unless ignorable.
      for (const f of sampler.structFields(schema.name)) {
        if (inRange(f.versions, v) || f.versions === null) continue
        const m = { ...sampler.build(v, 'values'), [f.name]: sampler.sampleAnyVersion(f) }
        let threw: unknown = null
        try { encodeToBuffer(encode, v, m) } catch (e) { threw = e }
        if (f.ignorable) {
          if (threw !== null) failures.push(`v${v}: ignorable absent ${f.name} threw ${(threw as Error).message}`)
        } else if (!(threw instanceof EncodeError)) {
          failures.push(`v${v}: non-ignorable absent ${f.name} gave ${threw === null ? 'no error' : (threw as Error).name}`)
        }
      }
      // Null where the version does not allow it.
      for (const f of sampler.structFields(schema.name)) {
        if (!inRange(f.versions, v) || inRange(f.nullable, v)) continue
        const m = { ...sampler.build(v, 'values'), [f.name]: null }
        let threw: unknown = null
        try { encodeToBuffer(encode, v, m) } catch (e) { threw = e }
        if (!(threw instanceof EncodeError)) failures.push(`v${v}: null in non-nullable ${f.name} gave ${threw === null ? 'no error' : (threw as Error).name}`)
      }
    }
    t.throws(() => encodeToBuffer(encode, hi + 1, {}), EncodeError, 'version above the range is refused by the encoder')
    t.throws(() => decode(new Reader(Buffer.alloc(64)), hi + 1), DecodeError, 'version above the range is refused by the decoder')
    t.same(failures, [], 'no failures')
    t.equal(checked, (hi - lo + 1) * 2)
  })
}
