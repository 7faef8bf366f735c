import t from 'tap'
import { javaStringHashCode, partitionForGroup } from '../../src/coordinator/partitioner.js'

t.test('String.hashCode as Java computes it, over UTF-16 code units', async t => {
  // Expected values computed independently (Python over UTF-16BE code units; 'polygenelubricants' is the
  // well-known string whose Java hash is Integer.MIN_VALUE).
  t.equal(javaStringHashCode(''), 0)
  t.equal(javaStringHashCode('a'), 97)
  t.equal(javaStringHashCode('hello'), 99162322)
  t.equal(javaStringHashCode('my-group'), -1906497762)
  t.equal(javaStringHashCode('polygenelubricants'), -2147483648)
  t.equal(javaStringHashCode('é😀'), 1996812, 'surrogate pair counts as two code units')
})

t.test('partition = (hash & 0x7fffffff) % partitions, never negative', async t => {
  t.equal(partitionForGroup('polygenelubricants', 50), 0)
  t.equal(partitionForGroup('hello', 50), 99162322 % 50)
  t.equal(partitionForGroup('my-group', 50), (-1906497762 & 0x7fffffff) % 50)
  for (const g of ['x', 'consumer-1', 'ÿÿÿÿÿÿ', 'a-much-longer-group-name-with-negative-hash-maybe']) {
    const p = partitionForGroup(g, 7)
    t.ok(p >= 0 && p < 7, g)
  }
})
