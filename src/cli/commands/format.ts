// kcat-style output formats: %k key, %v value, %h headers, %t timestamp, %p partition, %o offset,
// %T topic, %K/%S key/value length, %% a percent sign; \n \t \r \\ escapes.
import type { ConsumedRecord } from '../../client/consumer.js'
import { UsageError } from './common.js'

type Token = string | 'k' | 'v' | 'h' | 't' | 'p' | 'o' | 'T' | 'K' | 'S'

export interface RecordFormat { tokens: Array<{ lit: Buffer } | { field: Token }> }

const FIELDS = new Set(['k', 'v', 'h', 't', 'p', 'o', 'T', 'K', 'S'])
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' }

export function parseFormat (s: string): RecordFormat {
  const tokens: RecordFormat['tokens'] = []
  let lit = ''
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!
    if (ch === '%' || ch === '\\') {
      const next = s[i + 1]
      if (next === undefined) throw new UsageError(`format ends with a lone ${ch}`)
      i++
      if (ch === '\\') {
        const e = ESCAPES[next]
        if (e === undefined) throw new UsageError(`unknown escape \\${next} in format`)
        lit += e
      } else if (next === '%') {
        lit += '%'
      } else if (FIELDS.has(next)) {
        if (lit !== '') tokens.push({ lit: Buffer.from(lit) })
        lit = ''
        tokens.push({ field: next })
      } else {
        throw new UsageError(`unknown placeholder %${next} in format (use %k %v %h %t %p %o %T %K %S)`)
      }
    } else {
      lit += ch
    }
  }
  if (lit !== '') tokens.push({ lit: Buffer.from(lit) })
  return { tokens }
}

export function formatRecord (f: RecordFormat, r: ConsumedRecord): Buffer {
  const parts: Buffer[] = []
  for (const t of f.tokens) {
    if ('lit' in t) { parts.push(t.lit); continue }
    switch (t.field) {
      case 'k': if (r.key !== null) parts.push(r.key); break
      case 'v': if (r.value !== null) parts.push(r.value); break
      case 'h': parts.push(Buffer.from(r.headers.map(h => h.value === null ? h.key : `${h.key}=${h.value.toString('utf8')}`).join(','))); break
      case 't': parts.push(Buffer.from(String(r.timestamp))); break
      case 'p': parts.push(Buffer.from(String(r.partition))); break
      case 'o': parts.push(Buffer.from(String(r.offset))); break
      case 'T': parts.push(Buffer.from(r.topic)); break
      case 'K': parts.push(Buffer.from(String(r.key?.length ?? -1))); break
      case 'S': parts.push(Buffer.from(String(r.value?.length ?? -1))); break
    }
  }
  return Buffer.concat(parts)
}

/** One JSON object per record; keys, values and header values as UTF-8 text (null stays null). */
export function recordJson (r: ConsumedRecord): object {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: r.timestampType,
    key: r.key === null ? null : r.key.toString('utf8'),
    value: r.value === null ? null : r.value.toString('utf8'),
    headers: r.headers.map(h => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') }))
  }
}
