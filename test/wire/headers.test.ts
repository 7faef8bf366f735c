import t from 'tap'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { DecodeError } from '../../src/wire/decode-error.js'
import { decodeRequestHeader, encodeRequestHeader, encodeResponseHeader, requestHeaderVersion, responseHeaderVersion } from '../../src/wire/headers.js'

t.test('header versions follow each API\'s flexible versions', async t => {
  t.equal(requestHeaderVersion(3, 8), 1, 'Metadata v8 is not flexible')
  t.equal(requestHeaderVersion(3, 9), 2, 'Metadata v9 is')
  t.equal(requestHeaderVersion(0, 9), 2, 'Produce v9')
  t.equal(requestHeaderVersion(47, 0), 1, 'OffsetDelete has no flexible versions')
  t.equal(requestHeaderVersion(18, 3), 2, 'ApiVersions v3')
  t.equal(requestHeaderVersion(18, 99), 2, 'a future ApiVersions version is still read as flexible')
  t.equal(requestHeaderVersion(4, 0), 1, 'removed key 4')
  t.equal(requestHeaderVersion(999, 5), 1, 'unknown key')
  t.equal(requestHeaderVersion(-1, 5), 1, 'negative key')
  t.equal(responseHeaderVersion(18, 4), 0, 'ApiVersions responses always use v0')
  t.equal(responseHeaderVersion(3, 9), 1)
  t.equal(responseHeaderVersion(3, 8), 0)
  t.equal(responseHeaderVersion(1000, 1), 0)
})

function header (key: number, version: number, corr: number, clientId: string | null, tags?: Buffer): Buffer {
  const w = new Writer()
  w.int16(key).int16(version).int32(corr).nullableString(clientId)
  if (tags) w.raw(tags)
  return w.toBuffer()
}

t.test('v1 and v2 request headers', async t => {
  const v1 = header(3, 8, 42, 'me')
  const r1 = new Reader(v1)
  t.same(decodeRequestHeader(r1), { apiKey: 3, apiVersion: 8, correlationId: 42, clientId: 'me', headerVersion: 1 })
  t.equal(r1.offset, v1.length)

  // One unknown tagged field (tag 7, 2 bytes) must be skipped.
  const v2 = header(3, 12, 7, null, Buffer.from([1, 7, 2, 0xaa, 0xbb]))
  const r2 = new Reader(Buffer.concat([v2, Buffer.from([0x99])]))
  t.same(decodeRequestHeader(r2), { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: null, headerVersion: 2 })
  t.equal(r2.offset, v2.length, 'stops at the body')

  const w = new Writer()
  encodeRequestHeader(w, { apiKey: 3, apiVersion: 12, correlationId: 7, clientId: 'c' })
  t.ok(w.toBuffer().equals(header(3, 12, 7, 'c', Buffer.from([0]))), 'v2 encoding: int16 client id then empty tags')
})

t.test('unknown keys and versions still yield the v1 fields', async t => {
  const unknownKey = header(500, 3, 11, 'x')
  t.same(decodeRequestHeader(new Reader(unknownKey)), { apiKey: 500, apiVersion: 3, correlationId: 11, clientId: 'x', headerVersion: 1 })
  const oldProduce = header(0, 1, 12, 'y')
  t.same(decodeRequestHeader(new Reader(oldProduce)), { apiKey: 0, apiVersion: 1, correlationId: 12, clientId: 'y', headerVersion: 1 })
  const futureApiVersions = header(18, 9, 13, 'z', Buffer.from([0]))
  t.same(decodeRequestHeader(new Reader(futureApiVersions)), { apiKey: 18, apiVersion: 9, correlationId: 13, clientId: 'z', headerVersion: 2 })
})

t.test('malformed headers raise DecodeError', async t => {
  const good = header(3, 12, 7, 'abc', Buffer.from([0]))
  for (let n = 0; n < good.length; n++) {
    t.throws(() => decodeRequestHeader(new Reader(good.subarray(0, n))), DecodeError, `prefix ${n}`)
  }
  t.throws(() => decodeRequestHeader(new Reader(header(3, 8, 1, null).fill(0x7f, 8, 10))), DecodeError, 'client id longer than the frame')
  t.throws(() => decodeRequestHeader(new Reader(header(3, 12, 1, null, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])))), DecodeError, 'bad varint in tags')
  t.throws(() => decodeRequestHeader(new Reader(header(3, 12, 1, null, Buffer.from([1, 0, 50, 1])))), DecodeError, 'tag longer than the frame')
})

t.test('response headers', async t => {
  const w0 = new Writer()
  encodeResponseHeader(w0, 0, 0x01020304)
  t.same([...w0.toBuffer()], [1, 2, 3, 4])
  const w1 = new Writer()
  encodeResponseHeader(w1, 1, -1)
  t.same([...w1.toBuffer()], [0xff, 0xff, 0xff, 0xff, 0])
})
