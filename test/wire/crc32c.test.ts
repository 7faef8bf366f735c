import t from 'tap'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { crc32c } from '../../src/wire/crc32c.js'

const require = createRequire(import.meta.url)
const reference = require('crc-32/crc32c') as { buf: (b: Uint8Array, seed?: number) => number }

t.test('known CRC-32C vectors (RFC 3720 B.4 and the standard check value)', async t => {
  t.equal(crc32c(Buffer.from('123456789')), 0xe3069283)
  t.equal(crc32c(Buffer.alloc(0)), 0)
  t.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa)
  t.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43)
  t.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e)
  t.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i))), 0x113fdb5c)
})

t.test('agrees with crc-32 (which returns a signed int) on random inputs', async t => {
  for (const n of [1, 7, 8, 63, 64, 1000, 65537]) {
    const b = randomBytes(n)
    t.equal(crc32c(b), reference.buf(b) >>> 0, `${n} bytes`)
  }
})

t.test('an initial value continues a running checksum', async t => {
  const b = randomBytes(5000)
  t.equal(crc32c(b.subarray(1234), crc32c(b.subarray(0, 1234))), crc32c(b))
})

t.test('always unsigned', async t => {
  let sawHigh = false
  for (let i = 0; i < 64; i++) {
    const c = crc32c(randomBytes(16))
    t.ok(c >= 0 && c <= 0xffffffff)
    if (c >= 0x80000000) sawHigh = true
  }
  t.ok(sawHigh, 'some value has the top bit set')
})
