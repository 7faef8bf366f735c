// A tiny protobuf encoder for building OTLP MetricsData payloads in tests, independent of the decoder under
// test: fields are written by number and wire type exactly as the opentelemetry-proto definitions give them.

export type Attr = [string, string | number | boolean | bigint]

function varint (v: bigint | number): Buffer {
  let n = BigInt.asUintN(64, BigInt(v))
  const out: number[] = []
  do {
    let b = Number(n & 0x7fn)
    n >>= 7n
    if (n !== 0n) b |= 0x80
    out.push(b)
  } while (n !== 0n)
  return Buffer.from(out)
}

export function tag (field: number, wire: number): Buffer {
  return varint((field << 3) | wire)
}

export function len (field: number, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body
  return Buffer.concat([tag(field, 2), varint(b.length), b])
}

export function fixed64 (field: number, v: bigint): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt.asUintN(64, v))
  return Buffer.concat([tag(field, 1), b])
}

export function double (field: number, v: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeDoubleLE(v)
  return Buffer.concat([tag(field, 1), b])
}

export function vint (field: number, v: bigint | number): Buffer {
  return Buffer.concat([tag(field, 0), varint(v)])
}

export function anyValue (v: Attr[1]): Buffer {
  if (typeof v === 'string') return len(1, v)
  if (typeof v === 'boolean') return vint(2, v ? 1 : 0)
  if (typeof v === 'bigint') return vint(3, v)
  return Number.isInteger(v) ? vint(3, v) : double(4, v)
}

export function keyValue ([k, v]: Attr): Buffer {
  return Buffer.concat([len(1, k), len(2, anyValue(v))])
}

export interface NumberPoint { value: number | bigint, time?: bigint, attrs?: Attr[], asDouble?: boolean }

export function numberPoint (p: NumberPoint): Buffer {
  const parts = [fixed64(2, 1n), fixed64(3, p.time ?? 1700000000000000000n)]
  if (p.asDouble === true || (typeof p.value === 'number' && !Number.isInteger(p.value))) parts.push(double(4, Number(p.value)))
  else parts.push(fixed64(6, BigInt(p.value)))
  for (const a of p.attrs ?? []) parts.push(len(7, keyValue(a)))
  return Buffer.concat(parts)
}

export interface HistPoint { count: bigint, sum: number, buckets: bigint[], bounds: number[], time?: bigint, attrs?: Attr[], packed?: boolean }

export function histogramPoint (p: HistPoint): Buffer {
  const parts = [fixed64(3, p.time ?? 1700000000000000000n), fixed64(4, p.count), double(5, p.sum)]
  if (p.packed === false) {
    for (const b of p.buckets) parts.push(fixed64(6, b))
    for (const b of p.bounds) parts.push(double(7, b))
  } else {
    const bc = Buffer.alloc(8 * p.buckets.length)
    p.buckets.forEach((b, i) => bc.writeBigUInt64LE(b, i * 8))
    const bb = Buffer.alloc(8 * p.bounds.length)
    p.bounds.forEach((b, i) => bb.writeDoubleLE(b, i * 8))
    parts.push(len(6, bc), len(7, bb))
  }
  for (const a of p.attrs ?? []) parts.push(len(9, keyValue(a)))
  return Buffer.concat(parts)
}

export type MetricSpec =
  | { name: string, gauge: NumberPoint[] }
  | { name: string, sum: NumberPoint[] }
  | { name: string, histogram: HistPoint[] }

export function metric (m: MetricSpec): Buffer {
  const parts = [len(1, m.name), len(2, 'a description'), len(3, '1')]
  if ('gauge' in m) parts.push(len(5, Buffer.concat(m.gauge.map(p => len(1, numberPoint(p))))))
  else if ('sum' in m) parts.push(len(7, Buffer.concat([...m.sum.map(p => len(1, numberPoint(p))), vint(2, 1), vint(3, 1)])))
  else parts.push(len(9, Buffer.concat([...m.histogram.map(p => len(1, histogramPoint(p))), vint(2, 1)])))
  return Buffer.concat(parts)
}

/** MetricsData { ResourceMetrics { Resource, ScopeMetrics { scope, metrics } } }. */
export function metricsData (metrics: MetricSpec[], resourceAttrs: Attr[] = [['service.name', 'test']]): Buffer {
  const resource = Buffer.concat(resourceAttrs.map(a => len(1, keyValue(a))))
  const scope = Buffer.concat([len(1, 'org.apache.kafka'), len(2, '4.3.0')])
  const scopeMetrics = Buffer.concat([len(1, scope), ...metrics.map(m => len(2, metric(m)))])
  const resourceMetrics = Buffer.concat([len(1, resource), len(2, scopeMetrics), len(3, 'https://schema')])
  return len(1, resourceMetrics)
}
