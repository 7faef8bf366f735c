import t from 'tap'
import { BatchView, BATCH_HEADER_SIZE } from '../../src/wire/record-batch.js'
import { encodeBatch } from '../../src/wire/records.js'
import { crc32c } from '../../src/wire/crc32c.js'

async function sample (): Promise<Buffer> {
  return encodeBatch({
    records: [{ key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000n }, { value: Buffer.from('2'), timestamp: 1500n }],
    compression: 1,
    producerId: 77n,
    producerEpoch: 3,
    baseSequence: 9,
    isTransactional: true,
    partitionLeaderEpoch: 4
  })
}

t.test('getters read every header field', async t => {
  const buf = await sample()
  const v = new BatchView(buf)
  t.equal(v.baseOffset, 0n)
  t.equal(v.size, buf.length)
  t.equal(v.batchLength, buf.length - 12)
  t.equal(v.partitionLeaderEpoch, 4)
  t.equal(v.magic, 2)
  t.equal(v.compression, 1)
  t.equal(v.isTransactional, true)
  t.equal(v.isControl, false)
  t.equal(v.isLogAppendTime, false)
  t.equal(v.lastOffsetDelta, 1)
  t.equal(v.baseTimestamp, 1000n)
  t.equal(v.maxTimestamp, 1500n)
  t.equal(v.producerId, 77n)
  t.equal(v.producerEpoch, 3)
  t.equal(v.baseSequence, 9)
  t.equal(v.recordsCount, 2)
  t.equal(v.crc, crc32c(buf.subarray(21)))
  t.ok(v.isCrcValid())
})

t.test('a view at an offset inside a larger buffer', async t => {
  const batch = await sample()
  const big = Buffer.concat([Buffer.alloc(100, 7), batch, Buffer.alloc(5)])
  const v = new BatchView(big, 100)
  t.equal(v.size, batch.length)
  t.equal(v.producerId, 77n)
  t.ok(v.isCrcValid())
})

t.test('baseOffset and partitionLeaderEpoch are outside the CRC', async t => {
  const buf = await sample()
  const v = new BatchView(buf)
  v.baseOffset = 123456789n
  v.partitionLeaderEpoch = 42
  t.equal(v.baseOffset, 123456789n)
  t.equal(v.lastOffset, 123456790n)
  t.equal(v.partitionLeaderEpoch, 42)
  t.ok(v.isCrcValid())
})

t.test('setLogAppendTime flips the timestamp type and keeps the CRC valid', async t => {
  const buf = await sample()
  const v = new BatchView(buf)
  const before = v.crc
  v.setLogAppendTime(99999n)
  t.equal(v.isLogAppendTime, true)
  t.equal(v.maxTimestamp, 99999n)
  t.equal(v.compression, 1, 'other attribute bits survive')
  t.equal(v.isTransactional, true)
  t.not(v.crc, before)
  t.ok(v.isCrcValid())
})

t.test('any change inside the CRC range is detected', async t => {
  const buf = await sample()
  for (const at of [21, 30, 57, BATCH_HEADER_SIZE, buf.length - 1]) {
    const copy = Buffer.from(buf)
    copy[at]! ^= 0x01
    t.notOk(new BatchView(copy).isCrcValid(), `flip at ${at}`)
  }
})
