// OTLP metrics (opentelemetry-proto metrics/v1 MetricsData, the payload KIP-714 clients push) decoded into
// plain JSON-able values: each Metric's name, kind and data points (value, attributes, time). Resource and
// scope wrappers are walked but not kept; exemplars, flags and start times are skipped. Anything that is not
// a well-formed MetricsData throws OtlpDecodeError (a ProtobufError), never anything else. A known field with
// an unexpected wire type is skipped as an unknown one, as protobuf-java's generated parsers do.
import { ProtoReader, ProtobufError, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './protobuf.js'

export class OtlpDecodeError extends ProtobufError {
  override name = 'OtlpDecodeError'
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary' | 'unknown'

/** Integers beyond 2^53 are kept exact as decimal strings; non-finite doubles as "NaN"/"Infinity". */
export type JsonNumber = number | string

export interface HistogramValue {
  count: JsonNumber
  sum?: JsonNumber
  min?: JsonNumber
  max?: JsonNumber
  bucketCounts?: JsonNumber[]
  explicitBounds?: JsonNumber[]
}

export type AttributeValue = string | boolean | JsonNumber | null | AttributeValue[] | { [key: string]: AttributeValue }

export interface MetricPoint {
  /** A number for gauges and sums (null when the point has neither as_double nor as_int), else a summary object. */
  value: JsonNumber | HistogramValue | null
  attributes: Record<string, AttributeValue>
  /** Nanoseconds since the epoch, as a decimal string (it does not fit a double). */
  timeUnixNano: string
}

export interface DecodedMetric {
  name: string
  type: MetricType
  points: MetricPoint[]
}

/** The metrics of every ResourceMetrics and ScopeMetrics in `payload`, in payload order. */
export function decodeMetricsData (payload: Buffer): DecodedMetric[] {
  try {
    const out: DecodedMetric[] = []
    const r = new ProtoReader(payload)
    while (!r.done) {
      const { field, wire } = r.tag()
      if (field === 1 && wire === WIRE_LEN) resourceMetrics(r.message(), out)
      else r.skip(wire)
    }
    return out
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw e
    if (e instanceof ProtobufError) throw new OtlpDecodeError(`not an OTLP MetricsData: ${e.message}`)
    throw e
  }
}

function resourceMetrics (r: ProtoReader, out: DecodedMetric[]): void {
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 2 && wire === WIRE_LEN) scopeMetrics(r.message(), out)
    else r.skip(wire)
  }
}

function scopeMetrics (r: ProtoReader, out: DecodedMetric[]): void {
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 2 && wire === WIRE_LEN) out.push(metric(r.message()))
    else r.skip(wire)
  }
}

const DATA_FIELDS: Record<number, MetricType> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' }

function metric (r: ProtoReader): DecodedMetric {
  const m: DecodedMetric = { name: '', type: 'unknown', points: [] }
  while (!r.done) {
    const { field, wire } = r.tag()
    const type = DATA_FIELDS[field]
    if (field === 1 && wire === WIRE_LEN) m.name = r.string()
    else if (type !== undefined && wire === WIRE_LEN) {
      // A oneof seen twice keeps the last, as protobuf parsers do.
      m.type = type
      m.points = dataPoints(r.message(), type)
    } else r.skip(wire)
  }
  return m
}

/** Gauge, Sum, Histogram, ExponentialHistogram and Summary all carry their points in field 1. */
function dataPoints (r: ProtoReader, type: MetricType): MetricPoint[] {
  const points: MetricPoint[] = []
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field !== 1 || wire !== WIRE_LEN) { r.skip(wire); continue }
    const p = r.message()
    points.push(type === 'gauge' || type === 'sum' ? numberPoint(p) : type === 'histogram' ? histogramPoint(p) : countedPoint(p, type))
  }
  return points
}

function numberPoint (r: ProtoReader): MetricPoint {
  const p: MetricPoint = { value: null, attributes: {}, timeUnixNano: '0' }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 3 && wire === WIRE_I64) p.timeUnixNano = r.fixed64().toString()
    else if (field === 4 && wire === WIRE_I64) p.value = jsonDouble(r.double())
    else if (field === 6 && wire === WIRE_I64) p.value = jsonInt(r.sfixed64())
    else if (field === 7 && wire === WIRE_LEN) keyValue(r.message(), p.attributes)
    else r.skip(wire)
  }
  return p
}

function histogramPoint (r: ProtoReader): MetricPoint {
  const v: HistogramValue = { count: 0 }
  const bucketCounts: bigint[] = []
  const bounds: number[] = []
  const p: MetricPoint = { value: v, attributes: {}, timeUnixNano: '0' }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 3 && wire === WIRE_I64) p.timeUnixNano = r.fixed64().toString()
    else if (field === 4 && wire === WIRE_I64) v.count = jsonInt(r.fixed64())
    else if (field === 5 && wire === WIRE_I64) v.sum = jsonDouble(r.double())
    else if (field === 6 && (wire === WIRE_I64 || wire === WIRE_LEN)) r.repeated(wire, WIRE_I64, x => x.fixed64(), bucketCounts)
    else if (field === 7 && (wire === WIRE_I64 || wire === WIRE_LEN)) r.repeated(wire, WIRE_I64, x => x.double(), bounds)
    else if (field === 9 && wire === WIRE_LEN) keyValue(r.message(), p.attributes)
    else if (field === 11 && wire === WIRE_I64) v.min = jsonDouble(r.double())
    else if (field === 12 && wire === WIRE_I64) v.max = jsonDouble(r.double())
    else r.skip(wire)
  }
  v.bucketCounts = bucketCounts.map(jsonInt)
  v.explicitBounds = bounds.map(jsonDouble)
  return p
}

/** ExponentialHistogram (attributes in field 1) and Summary (field 7) points: count and sum only. */
function countedPoint (r: ProtoReader, type: MetricType): MetricPoint {
  const attrField = type === 'exponential_histogram' ? 1 : 7
  const v: HistogramValue = { count: 0 }
  const p: MetricPoint = { value: v, attributes: {}, timeUnixNano: '0' }
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === attrField && wire === WIRE_LEN) keyValue(r.message(), p.attributes)
    else if (field === 3 && wire === WIRE_I64) p.timeUnixNano = r.fixed64().toString()
    else if (field === 4 && wire === WIRE_I64) v.count = jsonInt(r.fixed64())
    else if (field === 5 && wire === WIRE_I64) v.sum = jsonDouble(r.double())
    else r.skip(wire)
  }
  return p
}

function keyValue (r: ProtoReader, into: Record<string, AttributeValue>): void {
  let key = ''
  let value: AttributeValue = null
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === WIRE_LEN) key = r.string()
    else if (field === 2 && wire === WIRE_LEN) value = anyValue(r.message())
    else r.skip(wire)
  }
  // Assignment would let a "__proto__" key replace the object's prototype instead of adding a key.
  Object.defineProperty(into, key, { value, enumerable: true, writable: true, configurable: true })
}

function anyValue (r: ProtoReader): AttributeValue {
  let value: AttributeValue = null
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === WIRE_LEN) value = r.string()
    else if (field === 2 && wire === WIRE_VARINT) value = r.bool()
    else if (field === 3 && wire === WIRE_VARINT) value = jsonInt(BigInt.asIntN(64, r.varint()))
    else if (field === 4 && wire === WIRE_I64) value = jsonDouble(r.double())
    else if (field === 5 && wire === WIRE_LEN) value = repeatedOf(r.message(), m => anyValue(m))
    else if (field === 6 && wire === WIRE_LEN) {
      const obj: Record<string, AttributeValue> = {}
      repeatedOf(r.message(), m => keyValue(m, obj))
      value = obj
    } else if (field === 7 && wire === WIRE_LEN) value = r.bytes().toString('base64')
    else r.skip(wire)
  }
  return value
}

/** ArrayValue and KeyValueList: messages in field 1. */
function repeatedOf<T> (r: ProtoReader, each: (m: ProtoReader) => T): T[] {
  const out: T[] = []
  while (!r.done) {
    const { field, wire } = r.tag()
    if (field === 1 && wire === WIRE_LEN) out.push(each(r.message()))
    else r.skip(wire)
  }
  return out
}

function jsonInt (v: bigint): JsonNumber {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
}

function jsonDouble (v: number): JsonNumber {
  return Number.isFinite(v) ? v : String(v)
}
