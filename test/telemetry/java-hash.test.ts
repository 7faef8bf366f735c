import t from 'tap'
import { javaStringHash, kafkaUuidHash, JavaHashSet } from '../../src/telemetry/java-hash.js'
import { uuidToString } from '../../src/wire/uuid.js'

t.test('String.hashCode as Java computes it, wrapping at 32 bits', async t => {
  t.equal(javaStringHash(''), 0)
  t.equal(javaStringHash('a'), 97)
  t.equal(javaStringHash('hello'), 99162322)
  t.equal(javaStringHash('Aa'), javaStringHash('BB'), 'the classic collision')
  t.equal(javaStringHash('org.apache.kafka.producer.'), (() => { let h = 0; for (const ch of 'org.apache.kafka.producer.') h = (h * 31 + ch.charCodeAt(0)) % 2 ** 32; return h >= 2 ** 31 ? h - 2 ** 32 : h })())
})

t.test('Uuid.hashCode folds the two longs', async t => {
  const id = uuidToString(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]))
  t.equal(kafkaUuidHash(id), 0x00010203 ^ 0x04050607 ^ 0x08090a0b ^ 0x0c0d0e0f)
  t.equal(kafkaUuidHash('AAAAAAAAAAAAAAAAAAAAAA'), 0)
})

t.test('HashSet iteration: by bucket, insertion order within one, split on resize', async t => {
  // "a" (97) and "q" (113) share bucket 1 of 16; "b" is bucket 2, "z" (122) bucket 10.
  const s = new JavaHashSet()
  for (const x of ['q', 'z', 'b', 'a']) s.add(x)
  t.equal(s.toString(), '[q, a, b, z]')
  t.notOk(s.add('a'), 'no duplicates')
  // A 13th element grows the table to 32 buckets: "a" stays in 1, "q" moves to 17.
  const big = new JavaHashSet()
  for (const x of 'qabcdefghijkl') big.add(x)
  t.same(big.values(), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'q'])
  t.equal(new JavaHashSet().toString(), '[]')
  t.same(JavaHashSet.fromCollection(['BB', 'Aa']).values(), ['BB', 'Aa'], 'colliding strings keep their insertion order')
})
