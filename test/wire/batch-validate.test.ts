import t from 'tap'
import { validateRecords, validateRecordsDeep, type DeepValidateOptions } from '../../src/wire/batch-validate.js'
import { encodeBatch, type BatchInput } from '../../src/wire/records.js'
import { BatchView, BATCH_HEADER_SIZE } from '../../src/wire/record-batch.js'
import { crc32c } from '../../src/wire/crc32c.js'
import { ErrorCode } from '../../src/wire/generated/errors.js'
import { produceFixtures } from './compression/produce-fixtures.js'

const MAX = 1_048_588
const NOW = 1_700_000_000_000n

function recrc (buf: Buffer, at = 0): Buffer {
  buf.writeUInt32BE(crc32c(buf.subarray(at + 21, at + new BatchView(buf, at).size)), at + 17)
  return buf
}

async function batch (over: Partial<BatchInput> = {}): Promise<Buffer> {
  return encodeBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: NOW }, { key: Buffer.from('k2'), value: null, timestamp: NOW + 1n }], ...over })
}

function expectError (t: Tap, res: ReturnType<typeof validateRecords>, code: number, what: string, message?: RegExp): void {
  t.equal(res.ok, false, `${what}: rejected`)
  if (!res.ok) {
    t.equal(res.errorCode, code, `${what}: error code`)
    if (message !== undefined) t.match(res.message, message, `${what}: message`)
  }
}
type Tap = Pick<typeof t, 'equal' | 'match'>

t.test('every captured client Produce passes', async t => {
  for (const f of produceFixtures()) {
    for (const rec of f.records) {
      const res = validateRecords(rec, { maxMessageBytes: MAX, apiVersion: f.apiVersion })
      if (f.codec === 'zstd' && f.apiVersion < 7) {
        // sarama 1.22 sends zstd in Produce v3; Kafka refuses it, and so must we.
        expectError(t, res, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, f.file)
        continue
      }
      t.ok(res.ok, f.file)
      if (res.ok) {
        t.equal(res.totalRecords, f.batches[0]!.record_count, `${f.file}: records`)
        t.equal(res.validBytes, rec.length, `${f.file}: whole field valid`)
        t.equal(res.batches[0]!.producerId, BigInt(f.batches[0]!.producer_id))
      }
    }
  }
})

t.test('ok result describes the batch', async t => {
  const buf = await batch({ compression: 2, producerId: 9n, producerEpoch: 2, baseSequence: 5, isTransactional: true })
  const res = validateRecords(buf, { maxMessageBytes: MAX })
  t.ok(res.ok)
  if (res.ok) {
    t.same(res.batches, [{ at: 0, size: buf.length, recordsCount: 2, lastOffsetDelta: 1, compression: 2, producerId: 9n, producerEpoch: 2, baseSequence: 5, isTransactional: true, maxTimestamp: NOW + 1n }])
    t.equal(res.totalRecords, 2)
  }
})

t.test('framing of the records field (ProduceRequest.validateRecords / ByteBufferLogInputStream)', async t => {
  const good = await batch()
  expectError(t, validateRecords(Buffer.alloc(0), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'empty records', /at least one record batch/)
  expectError(t, validateRecords(good.subarray(0, 11), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'shorter than LOG_OVERHEAD')
  expectError(t, validateRecords(good.subarray(0, 16), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'cut before magic')
  expectError(t, validateRecords(good.subarray(0, good.length - 1), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'truncated batch')
  const tiny = Buffer.from(good)
  tiny.writeInt32BE(13, 8)
  expectError(t, validateRecords(tiny, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'batchLength below 14', /minimum record overhead/)
  const neg = Buffer.from(good)
  neg.writeInt32BE(-5, 8)
  expectError(t, validateRecords(neg, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'negative batchLength')
  for (const magic of [3, -1, 100]) {
    const m = Buffer.from(good)
    m.writeInt8(magic, 16)
    expectError(t, validateRecords(m, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, `magic ${magic}`, /Invalid magic/)
  }
  for (const magic of [0, 1]) {
    const m = Buffer.from(good)
    m.writeInt8(magic, 16)
    // checked from the header before any CRC: the CRC is still the v2 one here and is not consulted
    expectError(t, validateRecords(m, { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, `magic ${magic}`, /magic version 2/)
  }
  const short = Buffer.from(good.subarray(0, 40))
  short.writeInt32BE(28, 8)
  expectError(t, validateRecords(short, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'batchLength 28 (< 49, header does not fit)')
})

t.test('exactly one batch per partition; trailing partial bytes are trimmed', async t => {
  const good = await batch()
  expectError(t, validateRecords(Buffer.concat([good, good]), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'two batches', /exactly one record batch/)
  for (const n of [1, 11, 16, 30]) {
    const res = validateRecords(Buffer.concat([good, good.subarray(0, n)]), { maxMessageBytes: MAX })
    t.ok(res.ok, `${n} trailing bytes of a partial batch`)
    if (res.ok) t.equal(res.validBytes, good.length)
  }
  const junk = Buffer.concat([good, Buffer.alloc(12)])
  expectError(t, validateRecords(junk, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'trailing zeros read as a length of 0')
  const badMagic = Buffer.concat([good, good.subarray(0, 20)])
  badMagic.writeInt8(7, good.length + 16)
  expectError(t, validateRecords(badMagic, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'trailing header with a bad magic')
})

t.test('zstd needs Produce v7', async t => {
  const z = await batch({ compression: 4 })
  expectError(t, validateRecords(z, { maxMessageBytes: MAX, apiVersion: 6 }), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd at v6')
  t.ok(validateRecords(z, { maxMessageBytes: MAX, apiVersion: 7 }).ok, 'zstd at v7')
  t.ok(validateRecords(await batch({ compression: 3 }), { maxMessageBytes: MAX, apiVersion: 3 }).ok, 'lz4 at v3')
})

t.test('log-level checks: baseOffset, size, CRC, codec id', async t => {
  const good = await batch()
  const off = Buffer.from(good)
  new BatchView(off).baseOffset = 5n
  expectError(t, validateRecords(off, { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'baseOffset 5', /should be 0/)
  expectError(t, validateRecords(good, { maxMessageBytes: good.length - 1 }), ErrorCode.MESSAGE_TOO_LARGE, 'one byte over max.message.bytes')
  t.ok(validateRecords(good, { maxMessageBytes: good.length }).ok, 'exactly max.message.bytes')
  const crc = Buffer.from(good)
  crc[crc.length - 1]! ^= 1
  expectError(t, validateRecords(crc, { maxMessageBytes: MAX }), ErrorCode.CORRUPT_MESSAGE, 'CRC mismatch', /corrupt/)
  const tooBigAndCorrupt = Buffer.from(crc)
  expectError(t, validateRecords(tooBigAndCorrupt, { maxMessageBytes: 10 }), ErrorCode.MESSAGE_TOO_LARGE, 'size is checked before the CRC')
  const codec = Buffer.from(good)
  codec.writeInt16BE(6, 21)
  recrc(codec)
  expectError(t, validateRecords(codec, { maxMessageBytes: MAX }), ErrorCode.UNKNOWN_SERVER_ERROR, 'codec id 6', /Unknown compression/)
  expectError(t, validateRecords(codec, { maxMessageBytes: MAX, apiVersion: 5 }), ErrorCode.UNKNOWN_SERVER_ERROR, 'codec id 6 before v7')
})

t.test('LogValidator.validateBatch: count, offsets, control, sequence', async t => {
  const good = await batch()
  const patch = (fn: (b: Buffer) => void): Buffer => { const c = Buffer.from(good); fn(c); return recrc(c) }
  expectError(t, validateRecords(patch(b => b.writeInt32BE(-1, 23)), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'lastOffsetDelta -1', /invalid offset range/)
  expectError(t, validateRecords(patch(b => b.writeInt32BE(0, 57)), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'zero records', /Invalid reported count/)
  expectError(t, validateRecords(patch(b => b.writeInt32BE(3, 57)), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'count 3 vs lastOffsetDelta 1', /Inconsistent batch offset range/)
  expectError(t, validateRecords(patch(b => b.writeInt32BE(5, 23)), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'lastOffsetDelta 5 vs count 2')
  expectError(t, validateRecords(await batch({ isControl: true }), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'control batch', /control records/)
  expectError(t, validateRecords(await batch({ producerId: 4n, producerEpoch: 0, baseSequence: -1 }), { maxMessageBytes: MAX }), ErrorCode.INVALID_RECORD, 'producer id without sequence', /Invalid sequence number/)
  t.ok(validateRecords(await batch({ producerId: -1n, producerEpoch: 0, baseSequence: -1 }), { maxMessageBytes: MAX }).ok, 'no producer id, no sequence (kafkajs sends epoch 0)')
})

const DEEP: DeepValidateOptions = { timestampType: 'CreateTime', nowMs: NOW, timestampBeforeMaxMs: 3_600_000n, timestampAfterMaxMs: 3_600_000n, compacted: false }

t.test('deep validation: fixtures pass and report the records\' max timestamp', async t => {
  for (const f of produceFixtures()) {
    const rec = f.records[0]!
    const v = new BatchView(rec)
    const res = await validateRecordsDeep(rec, { ...DEEP, nowMs: v.baseTimestamp, compacted: true })
    t.ok(res.ok, f.file)
    if (res.ok) {
      t.ok(res.maxTimestamp >= v.baseTimestamp, `${f.file}: max timestamp`)
      if (v.maxTimestamp !== -1n) t.equal(res.maxTimestamp, v.maxTimestamp, `${f.file}: agrees with the header`)
      t.equal(res.needsRebuild, false, `${f.file}: offsets 0..n-1`)
    }
  }
})

t.test('deep validation: every codec, structure and count', async t => {
  for (const compression of [0, 1, 2, 3, 4]) {
    const res = await validateRecordsDeep(await batch({ compression }), DEEP)
    t.same(res, { ok: true, maxTimestamp: NOW + 1n, offsetDeltaOfMaxTimestamp: 1, needsRebuild: false }, `codec ${compression}`)
  }
  const gaps = await encodeBatch({ records: [{ value: Buffer.from('a'), offsetDelta: 0, timestamp: NOW }, { value: Buffer.from('b'), offsetDelta: 2, timestamp: NOW }], compression: 1 })
  const g = await validateRecordsDeep(gaps, DEEP)
  t.ok(g.ok && g.needsRebuild, 'compressed batch with offset gaps must be rebuilt')
  // count larger than the records actually present
  const more = Buffer.from(await batch())
  more.writeInt32BE(3, 57)
  more.writeInt32BE(2, 23)
  const r1 = await validateRecordsDeep(recrc(more), DEEP)
  t.match(r1, { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: /premature EOF/ })
  const fewer = Buffer.from(await batch({ compression: 4 }))
  fewer.writeInt32BE(1, 57)
  fewer.writeInt32BE(0, 23)
  const r2 = await validateRecordsDeep(recrc(fewer), DEEP)
  t.match(r2, { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: /records still remaining/ })
})

t.test('deep validation: compression failures', async t => {
  const lz = Buffer.from(await batch({ compression: 3 }))
  lz.writeUInt32LE(0x12345678, BATCH_HEADER_SIZE)
  t.match(await validateRecordsDeep(recrc(lz), DEEP), { ok: false, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, message: /Failed to decompress/ })
  const gz = await batch({ compression: 1 })
  const cut = Buffer.from(gz.subarray(0, gz.length - 10))
  cut.writeInt32BE(cut.length - 12, 8)
  t.match(await validateRecordsDeep(recrc(cut), DEEP), { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: /premature EOF/ })
  const bomb = await encodeBatch({ records: [{ value: Buffer.alloc(3_000_000), timestamp: NOW }], compression: 4 })
  t.match(await validateRecordsDeep(bomb, { ...DEEP, maxDecompressedBytes: 1_000_000 }), { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: /exceeds the limit/ })
})

t.test('deep validation: compacted topics need keys', async t => {
  const buf = await encodeBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from('v'), timestamp: NOW }, { key: null, value: Buffer.from('v'), timestamp: NOW }, { value: null, timestamp: NOW }], compression: 2 })
  const res = await validateRecordsDeep(buf, { ...DEEP, compacted: true })
  t.match(res, { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: /2 record errors/ })
  if (!res.ok) t.same(res.recordErrors.map(e => e.batchIndex), [1, 2])
  t.ok((await validateRecordsDeep(buf, DEEP)).ok, 'fine when not compacted')
})

t.test('deep validation: timestamps', async t => {
  const old = await encodeBatch({ records: [{ value: Buffer.from('a'), timestamp: NOW }, { value: Buffer.from('b'), timestamp: NOW - 3_600_001n }] })
  const r = await validateRecordsDeep(old, DEEP)
  t.match(r, { ok: false, errorCode: ErrorCode.INVALID_TIMESTAMP, message: /invalid timestamp/ })
  if (!r.ok) t.same(r.recordErrors.map(e => e.batchIndex), [1])
  const future = await encodeBatch({ records: [{ value: Buffer.from('a'), timestamp: NOW + 3_600_001n }], compression: 1 })
  t.match(await validateRecordsDeep(future, DEEP), { ok: false, errorCode: ErrorCode.INVALID_TIMESTAMP })
  t.ok((await validateRecordsDeep(future, { ...DEEP, timestampType: 'LogAppendTime' })).ok, 'LogAppendTime topics do not check CreateTime ranges')
  const noTs = await encodeBatch({ records: [{ value: Buffer.from('a'), timestamp: -1n }] })
  t.ok((await validateRecordsDeep(noTs, DEEP)).ok, 'NO_TIMESTAMP (-1) is not range-checked')
  const lat = await batch()
  new BatchView(lat).setLogAppendTime(NOW)
  t.match(await validateRecordsDeep(lat, { ...DEEP, timestampType: 'LogAppendTime' }), { ok: false, errorCode: ErrorCode.INVALID_TIMESTAMP, message: /invalid timestamp/ })
  t.ok((await validateRecordsDeep(lat, DEEP)).ok, 'a LogAppendTime batch on a CreateTime topic is range-checked like CreateTime (as Kafka does)')
})
