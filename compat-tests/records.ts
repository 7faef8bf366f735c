// The records the compat tests send, and the checks that what came back is exactly what was sent.
import { randomBytes } from 'node:crypto'

export type Header = [string, string]

export interface TestRecord {
  key: string
  value: string
  headers: Header[]
  /** the partition the producer was told to use, or reported back */
  partition?: number
}

export interface ConsumedRecord {
  partition: number
  offset: number
  key: string | null
  value: string | null
  headers: Header[]
}

export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
}

/**
 * n keyed records with non-ASCII text, varied sizes (some compressible, some not) and headers in
 * which a key repeats, because Kafka keeps header order and duplicates. Keys and values contain no
 * newline or tab so that kcat's line-based input can carry them; kcat gives every record of one run
 * the same headers, hence 'fixed'.
 */
export const fixedHeaders: Header[] = [
  ['h', 'a'],
  ['h', 'b'],
  ['trace-id', 'ü-1'],
]

export function makeRecords(
  prefix: string,
  n: number,
  opts: { headers?: 'varied' | 'fixed' | 'none' } = {},
): TestRecord[] {
  const mode = opts.headers ?? 'varied'
  const out: TestRecord[] = []
  for (let i = 0; i < n; i++) {
    const filler = i % 3 === 0 ? 'abc'.repeat(40 + i) : randomBytes(8 + (i % 50)).toString('hex')
    out.push({
      key: `${prefix}-key-${i}`,
      value: `${prefix} value ${i} é✓ ${filler}`,
      headers:
        mode === 'none'
          ? []
          : mode === 'fixed'
            ? fixedHeaders
            : [
                ['h', `a${i}`],
                ['h', `b${i}`],
                ['trace-id', `t-${i}-ü`],
              ],
    })
  }
  return out
}

/** The subset of tap's assertion API these checks use. */
export interface Asserts {
  equal(found: unknown, wanted: unknown, ...message: [] | [string]): unknown
  same(found: unknown, wanted: unknown, ...message: [] | [string]): unknown
}

/**
 * Every produced record came back once, in order, at consecutive offsets from baseOffset, in the
 * given partition, with the same key, value and headers.
 */
export function checkPartition(
  t: Asserts,
  produced: TestRecord[],
  consumed: ConsumedRecord[],
  partition: number,
  baseOffset = 0,
  label = '',
): void {
  const got = consumed.filter((r) => r.partition === partition).sort((a, b) => a.offset - b.offset)
  t.equal(got.length, produced.length, `${label} partition ${partition}: record count`)
  const n = Math.min(got.length, produced.length)
  let mismatches = 0
  for (let i = 0; i < n; i++) {
    const want = produced[i]!
    const have = got[i]!
    const same =
      have.offset === baseOffset + i &&
      have.key === want.key &&
      have.value === want.value &&
      JSON.stringify(have.headers) === JSON.stringify(want.headers)
    if (!same && mismatches++ < 5) {
      t.same(
        { offset: have.offset, key: have.key, value: have.value, headers: have.headers },
        { offset: baseOffset + i, key: want.key, value: want.value, headers: want.headers },
        `${label} partition ${partition} record ${i}`,
      )
    }
  }
  t.equal(mismatches, 0, `${label} partition ${partition}: ${n} records match key, value, headers and offset`)
}

/** Records grouped by the partition the producer reported, each group in send order. */
export function byPartition(produced: TestRecord[]): Map<number, TestRecord[]> {
  const m = new Map<number, TestRecord[]>()
  for (const r of produced) {
    if (r.partition === undefined) throw new Error(`record ${r.key} has no partition`)
    const list = m.get(r.partition) ?? []
    list.push(r)
    m.set(r.partition, list)
  }
  return m
}

/** kcat -J prints headers as a flat [k1, v1, k2, v2, …] array. */
export function parseKcatJson(stdout: string): ConsumedRecord[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const j = JSON.parse(l) as {
        partition: number
        offset: number
        key: string | null
        payload: string | null
        headers?: (string | null)[]
      }
      const hs: Header[] = []
      const flat = j.headers ?? []
      for (let i = 0; i + 1 < flat.length; i += 2) hs.push([String(flat[i]), String(flat[i + 1])])
      return { partition: j.partition, offset: j.offset, key: j.key, value: j.payload, headers: hs }
    })
}
