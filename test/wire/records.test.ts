import t from 'tap'
import { decodeBatch, decodeBatches, encodeBatch, type BatchInput } from '../../src/wire/records.js'
import { DecodeError } from '../../src/wire/decode-error.js'
import { CompressionError } from '../../src/wire/compression/index.js'
import { BatchView, BATCH_HEADER_SIZE } from '../../src/wire/record-batch.js'
import { crc32c } from '../../src/wire/crc32c.js'
import { Writer } from '../../src/wire/writer.js'
import { produceFixtures, CODEC_IDS } from './compression/produce-fixtures.js'

const b = (s: string): Buffer => Buffer.from(s)

const RECORDS: BatchInput['records'] = [
  { key: b('key-1'), value: b('value-1'), headers: [{ key: 'h1', value: b('v1') }, { key: 'ünï', value: null }], timestamp: 1_700_000_000_000n },
  { key: null, value: b('tombstone next'), timestamp: 1_700_000_000_005n },
  { key: b('k3'), value: null, headers: [], timestamp: 1_699_999_999_990n },
  { key: Buffer.alloc(0), value: Buffer.alloc(0), headers: [{ key: '', value: Buffer.alloc(0) }], timestamp: 1_700_000_000_001n },
  { key: b('big'), value: Buffer.alloc(100_000, 'x'), timestamp: 1_700_000_000_002n }
]

t.test('encode/decode round trip for every codec', async t => {
  for (const compression of [0, 1, 2, 3, 4]) {
    const buf = await encodeBatch({ records: RECORDS, compression, producerId: 5n, producerEpoch: 1, baseSequence: 10, partitionLeaderEpoch: 3 })
    const d = await decodeBatch(buf)
    t.equal(d.compression, compression)
    t.equal(d.records.length, RECORDS.length)
    t.equal(d.lastOffsetDelta, 4)
    t.equal(d.baseTimestamp, 1_700_000_000_000n)
    t.equal(d.maxTimestamp, 1_700_000_000_005n)
    t.equal(d.producerId, 5n)
    t.equal(d.producerEpoch, 1)
    t.equal(d.baseSequence, 10)
    t.equal(d.partitionLeaderEpoch, 3)
    t.equal(d.timestampType, 'CreateTime')
    RECORDS.forEach((r, i) => {
      const got = d.records[i]!
      t.equal(got.offset, BigInt(i), `codec ${compression} record ${i} offset`)
      t.equal(got.timestamp, r.timestamp)
      t.same(got.key, r.key ?? null)
      t.same(got.value, r.value ?? null)
      t.same(got.headers, r.headers ?? [])
      t.equal(got.attributes, 0)
    })
  }
})

t.test('defaults: no producer, CreateTime, base offset 0; flags round trip', async t => {
  const d = await decodeBatch(await encodeBatch({ records: [{ value: b('v') }] }))
  t.equal(d.producerId, -1n)
  t.equal(d.producerEpoch, -1)
  t.equal(d.baseSequence, -1)
  t.equal(d.baseOffset, 0n)
  t.equal(d.records[0]!.key, null)
  const txn = await decodeBatch(await encodeBatch({ records: [{ value: b('v'), timestamp: 5n }], isTransactional: true, isControl: true, baseOffset: 100n }))
  t.equal(txn.isTransactional, true)
  t.equal(txn.isControl, true)
  t.equal(txn.attributes, 0x30)
  t.equal(txn.records[0]!.offset, 100n)
})

t.test('LogAppendTime: every record takes the batch maxTimestamp', async t => {
  const buf = await encodeBatch({ records: RECORDS.slice(0, 3), compression: 1 })
  new BatchView(buf).setLogAppendTime(1_800_000_000_000n)
  const d = await decodeBatch(buf)
  t.equal(d.timestampType, 'LogAppendTime')
  for (const r of d.records) t.equal(r.timestamp, 1_800_000_000_000n)
})

t.test('offset gaps (compacted batches) keep offsetDelta and lastOffsetDelta', async t => {
  const buf = await encodeBatch({ records: [{ value: b('a'), offsetDelta: 2 }, { value: b('b'), offsetDelta: 7 }], lastOffsetDelta: 9, baseOffset: 1000n })
  const d = await decodeBatch(buf)
  t.same(d.records.map(r => r.offset), [1002n, 1007n])
  t.equal(d.lastOffsetDelta, 9)
  await t.rejects(encodeBatch({ records: [{ offsetDelta: 3 }, { offsetDelta: 3 }] }), RangeError)
  await t.rejects(encodeBatch({ records: [{ offsetDelta: 3 }], lastOffsetDelta: 2 }), RangeError)
})

t.test('decodeBatches walks concatenated batches and ignores a trailing partial one', async t => {
  const one = await encodeBatch({ records: [{ value: b('1') }], baseOffset: 0n })
  const two = await encodeBatch({ records: [{ value: b('2') }, { value: b('3') }], baseOffset: 1n, compression: 4 })
  const all = await decodeBatches(Buffer.concat([one, two, two.subarray(0, 30)]))
  t.equal(all.length, 2)
  t.same(all.flatMap(d => d.records.map(r => r.value?.toString())), ['1', '2', '3'])
  t.same(await decodeBatches(Buffer.alloc(0)), [])
  t.same(await decodeBatches(one.subarray(0, 11)), [])
})

/** A batch around a hand-made records body, with a correct CRC. */
function handBatch (body: Buffer, count: number, lastOffsetDelta = count - 1): Buffer {
  const out = Buffer.alloc(BATCH_HEADER_SIZE + body.length)
  out.writeInt32BE(BATCH_HEADER_SIZE - 12 + body.length, 8)
  out.writeInt8(2, 16)
  out.writeInt32BE(lastOffsetDelta, 23)
  out.writeBigInt64BE(-1n, 43)
  out.writeInt16BE(-1, 51)
  out.writeInt32BE(-1, 53)
  out.writeInt32BE(count, 57)
  body.copy(out, BATCH_HEADER_SIZE)
  out.writeUInt32BE(crc32c(out.subarray(21)), 17)
  return out
}

function record (fields: (w: Writer) => void): Buffer {
  const body = new Writer()
  fields(body)
  const w = new Writer()
  w.varint(body.length).raw(body.toBuffer())
  return w.toBuffer()
}

const good = record(w => w.int8(0).varlong(0n).varint(0).varint(1).raw(b('k')).varint(1).raw(b('v')).varint(0))

t.test('structural faults in records are DecodeErrors', async t => {
  const cases: [string, Buffer, number][] = [
    ['count larger than records', good, 2],
    ['records left over after count', Buffer.concat([good, good]), 1],
    ['negative count', good, -1],
    ['record length past the end', Buffer.concat([Buffer.from([0x7e]), good.subarray(1)]), 1],
    ['negative record length', Buffer.concat([Buffer.from([0x03]), good.subarray(1)]), 1],
    ['key length past the record', record(w => w.int8(0).varlong(0n).varint(0).varint(50).raw(b('k')).varint(-1).varint(0)), 1],
    ['key length below -1', record(w => w.int8(0).varlong(0n).varint(0).varint(-2).varint(-1).varint(0)), 1],
    ['negative header count', record(w => w.int8(0).varlong(0n).varint(0).varint(-1).varint(-1).varint(-1)), 1],
    ['negative header key length', record(w => w.int8(0).varlong(0n).varint(0).varint(-1).varint(-1).varint(1).varint(-1).varint(-1)), 1],
    ['bytes left inside a record', record(w => w.int8(0).varlong(0n).varint(0).varint(-1).varint(-1).varint(0).int8(9)), 1],
    ['varint longer than 5 bytes', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), 1],
    ['empty body with a count', Buffer.alloc(0), 1]
  ]
  for (const [name, body, count] of cases) {
    await t.rejects(decodeBatch(handBatch(body, count)), DecodeError, name)
  }
  t.equal((await decodeBatch(handBatch(good, 1))).records.length, 1, 'the well-formed control case decodes')
})

t.test('header faults: magic checked first, then CRC, then lengths', async t => {
  const buf = await encodeBatch({ records: [{ value: b('v') }] })
  const badMagic = Buffer.from(buf)
  badMagic[16] = 1
  badMagic[30]! ^= 1
  await t.rejects(decodeBatch(badMagic), { name: 'DecodeError', message: /magic 1/ })
  const badCrc = Buffer.from(buf)
  badCrc[buf.length - 1]! ^= 1
  await t.rejects(decodeBatch(badCrc), { name: 'DecodeError', message: /crc/ })
  await t.rejects(decodeBatch(buf.subarray(0, 40)), DecodeError)
  await t.rejects(decodeBatch(buf.subarray(0, buf.length - 1)), DecodeError)
  await t.rejects(decodeBatch(Buffer.concat([buf, Buffer.alloc(1)])), DecodeError)
  const short = Buffer.from(buf)
  short.writeInt32BE(10, 8)
  await t.rejects(decodeBatch(short), DecodeError)
})

t.test('a corrupt compressed payload with a valid CRC is a CompressionError', async t => {
  const buf = await encodeBatch({ records: RECORDS, compression: 3 })
  const copy = Buffer.from(buf)
  copy.writeUInt32LE(0xdeadbeef, BATCH_HEADER_SIZE)
  copy.writeUInt32BE(crc32c(copy.subarray(21)), 17)
  await t.rejects(decodeBatch(copy), CompressionError)
  const bomb = await encodeBatch({ records: [{ value: Buffer.alloc(2_000_000) }], compression: 1 })
  await t.rejects(decodeBatch(bomb, { maxDecompressedBytes: 1_000_000 }), { name: 'CompressionError', reason: 'too-large' })
})

t.test('every captured Produce batch decodes and matches index.json', async t => {
  const fixtures = produceFixtures()
  t.ok(fixtures.length >= 40, `${fixtures.length} produce fixtures`)
  for (const f of fixtures) {
    const batches = (await Promise.all(f.records.map(r => decodeBatches(r)))).flat()
    t.equal(batches.length, f.batches.length, `${f.file}: batch count`)
    f.batches.forEach((want, i) => {
      const got = batches[i]!
      const name = `${f.file} batch ${i}`
      t.equal(got.records.length, want.record_count, `${name}: records`)
      t.equal(got.compression, CODEC_IDS[want.codec], `${name}: codec`)
      t.equal(got.attributes, want.attributes, `${name}: attributes`)
      t.equal(got.producerId, BigInt(want.producer_id), `${name}: producer id`)
      t.equal(got.producerEpoch, want.producer_epoch, `${name}: producer epoch`)
      t.equal(got.baseSequence, want.base_sequence, `${name}: base sequence`)
      t.equal(got.isTransactional, want.transactional, `${name}: transactional`)
      t.equal(got.timestampType, want.timestamp_type, `${name}: timestamp type`)
      t.equal(got.lastOffsetDelta, want.record_count - 1, `${name}: lastOffsetDelta`)
      // Every client was asked for keyed records with two headers each: key-N with a value starting
      // value-N (sarama counts from 0, the others from 1).
      const firstKey = f.client === 'sarama' ? 0 : 1
      got.records.forEach((r, j) => {
        t.equal(r.offset, BigInt(j))
        t.equal(r.key?.toString(), `key-${j + firstKey}`, `${name} record ${j}: key`)
        t.match(r.value?.toString() ?? '', new RegExp(`^value-${j + firstKey}`), `${name} record ${j}: value`)
        t.equal(r.headers.length, 2, `${name} record ${j}: headers`)
        t.ok(r.timestamp >= got.baseTimestamp, `${name} record ${j}: timestamp not before the base`)
        // sarama 1.22 leaves maxTimestamp at -1; Kafka rewrites it from the records on append.
        if (f.client !== 'sarama') t.ok(r.timestamp <= got.maxTimestamp, `${name} record ${j}: timestamp within maxTimestamp`)
      })
      if (f.client === 'sarama') t.equal(got.maxTimestamp, -1n, `${name}: sarama sends no maxTimestamp`)
      if (want.first_record !== undefined) t.equal(got.records[0]!.key?.toString(), want.first_record.key, `${name}: first key`)
    })
  }
})
