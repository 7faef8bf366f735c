import t from 'tap'
import { decodeMetricsData, OtlpDecodeError } from '../../src/telemetry/otlp.js'
import { metricsData, len, vint, fixed64, double, keyValue, anyValue, tag } from './otlp-encoder.js'

const sample = metricsData([
  { name: 'org.apache.kafka.producer.record.queue.time.max', gauge: [{ value: 12.5, time: 1700000000123456789n, attrs: [['client_id', 'p1'], ['node.id', 3]] }] },
  { name: 'org.apache.kafka.producer.bytes', sum: [{ value: 4096n, attrs: [['topic', 't']] }, { value: 2n ** 60n }] },
  { name: 'org.apache.kafka.consumer.fetch.latency', histogram: [{ count: 5n, sum: 42.5, buckets: [1n, 3n, 1n], bounds: [10, 100], attrs: [['ok', true]] }] }
])

t.test('gauge, sum and histogram points with their attributes, values and times', async t => {
  t.same(decodeMetricsData(sample), [
    { name: 'org.apache.kafka.producer.record.queue.time.max', type: 'gauge', points: [{ value: 12.5, attributes: { client_id: 'p1', 'node.id': 3 }, timeUnixNano: '1700000000123456789' }] },
    {
      name: 'org.apache.kafka.producer.bytes',
      type: 'sum',
      points: [
        { value: 4096, attributes: { topic: 't' }, timeUnixNano: '1700000000000000000' },
        { value: String(2n ** 60n), attributes: {}, timeUnixNano: '1700000000000000000' }
      ]
    },
    {
      name: 'org.apache.kafka.consumer.fetch.latency',
      type: 'histogram',
      points: [{ value: { count: 5, sum: 42.5, bucketCounts: [1, 3, 1], explicitBounds: [10, 100] }, attributes: { ok: true }, timeUnixNano: '1700000000000000000' }]
    }
  ])
})

t.test('unpacked repeated fields, negative ints, nested attribute values, NaN, empty payload', async t => {
  const unpacked = metricsData([{ name: 'h', histogram: [{ count: 1n, sum: 1, buckets: [1n, 0n], bounds: [5], packed: false }] }])
  t.same((decodeMetricsData(unpacked)[0]!.points[0]!.value as any).bucketCounts, [1, 0])
  t.same((decodeMetricsData(unpacked)[0]!.points[0]!.value as any).explicitBounds, [5])
  const neg = metricsData([{ name: 'g', gauge: [{ value: -7n, attrs: [['n', -3n]] }, { value: Number.NaN, asDouble: true }] }])
  const points = decodeMetricsData(neg)[0]!.points
  t.equal(points[0]!.value, -7)
  t.same(points[0]!.attributes, { n: -3 })
  t.equal(points[1]!.value, 'NaN', 'non-finite doubles stay JSON-able')
  // AnyValue array (5) and kvlist (6), bytes (7).
  const arr = len(5, Buffer.concat([len(1, anyValue('x')), len(1, anyValue(2))]))
  const kv = len(6, len(1, keyValue(['inner', 'v'])))
  const bytes = len(7, Buffer.from([1, 2, 3]))
  const point = Buffer.concat([fixed64(3, 5n), double(4, 1), len(7, Buffer.concat([len(1, 'arr'), len(2, arr)])), len(7, Buffer.concat([len(1, 'kv'), len(2, kv)])), len(7, Buffer.concat([len(1, 'b'), len(2, bytes)])), len(7, Buffer.concat([len(1, '__proto__'), len(2, anyValue('p'))]))])
  const payload = len(1, len(2, len(2, Buffer.concat([len(1, 'm'), len(5, len(1, point))]))))
  const attrs = decodeMetricsData(payload)[0]!.points[0]!.attributes
  t.same(attrs.arr, ['x', 2])
  t.same(attrs.kv, { inner: 'v' })
  t.equal(attrs.b, 'AQID')
  t.equal(Object.getPrototypeOf(attrs), Object.prototype, 'a __proto__ key is a key, not a prototype change')
  t.equal(Object.getOwnPropertyDescriptor(attrs, '__proto__')?.value, 'p')
  t.same(decodeMetricsData(Buffer.alloc(0)), [], 'an empty MetricsData has no metrics')
})

t.test('unknown fields and known fields with another wire type are skipped', async t => {
  const metricBody = Buffer.concat([vint(1, 5), len(1, 'name'), fixed64(99, 1n), Buffer.concat([tag(50, 5), Buffer.alloc(4)]), len(5, len(1, Buffer.concat([vint(4, 3), double(4, 2)])))])
  const payload = Buffer.concat([vint(7, 1), len(1, len(2, len(2, metricBody)))])
  t.same(decodeMetricsData(payload), [{ name: 'name', type: 'gauge', points: [{ value: 2, attributes: {}, timeUnixNano: '0' }] }])
})

t.test('every truncation of a valid payload decodes or throws OtlpDecodeError, never anything else', async t => {
  let errors = 0
  for (let n = 0; n < sample.length; n++) {
    try {
      decodeMetricsData(sample.subarray(0, n))
    } catch (e) {
      if (!(e instanceof OtlpDecodeError)) throw e
      errors++
    }
  }
  t.equal(errors, sample.length - 1, 'the outer length prefix makes every proper prefix invalid')
  t.throws(() => decodeMetricsData(sample.subarray(0, 20)), OtlpDecodeError)
})

t.test('garbage gives OtlpDecodeError with a reason', async t => {
  t.throws(() => decodeMetricsData(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])), { name: 'OtlpDecodeError', message: /runs past the end/ })
  t.throws(() => decodeMetricsData(Buffer.from([0x00])), { name: 'OtlpDecodeError', message: /field number 0/ })
  t.throws(() => decodeMetricsData(Buffer.from([0x0b])), { name: 'OtlpDecodeError', message: /wire type 3/ })
  t.throws(() => decodeMetricsData(Buffer.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), { name: 'OtlpDecodeError', message: /varint/ })
  let nested: Buffer = Buffer.from('x')
  for (let i = 0; i < 100; i++) nested = len(5, len(1, nested))
  const deep = len(1, len(2, len(2, Buffer.concat([len(1, 'm'), len(5, len(1, len(7, Buffer.concat([len(1, 'k'), len(2, nested)]))))]))))
  t.throws(() => decodeMetricsData(deep), { name: 'OtlpDecodeError', message: /nested deeper/ })
  let seed = 12345
  const rand = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 24 }
  for (let i = 0; i < 2000; i++) {
    const b = Buffer.from(Array.from({ length: 1 + (i % 64) }, rand))
    try { decodeMetricsData(b) } catch (e) { if (!(e instanceof OtlpDecodeError)) throw e }
  }
})
