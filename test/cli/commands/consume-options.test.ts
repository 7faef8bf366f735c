import t from 'tap'
import { parseTopics, parseIsolation, parseGroupProtocol, minus } from '../../../src/cli/commands/consume.js'
import { UsageError } from '../../../src/cli/commands/common.js'
import { rangeAssign } from '../../../src/client/group.js'

t.test('topics: positional and comma lists, in order, without repeats', async t => {
  t.same(parseTopics(['a']), ['a'])
  t.same(parseTopics(['a,b', 'c', 'b', ' d ']), ['a', 'b', 'c', 'd'])
  t.throws(() => parseTopics(['a,']), UsageError)
  t.throws(() => parseTopics(['']), UsageError)
})

t.test('isolation level and group protocol', async t => {
  t.equal(parseIsolation(undefined), 'read_uncommitted')
  t.equal(parseIsolation('read_committed'), 'read_committed')
  t.throws(() => parseIsolation('READ_COMMITTED'), UsageError)
  t.equal(parseGroupProtocol(undefined, undefined), 'classic')
  t.equal(parseGroupProtocol(undefined, 'g'), 'classic')
  t.equal(parseGroupProtocol('consumer', 'g'), 'consumer')
  t.throws(() => parseGroupProtocol('consumer', undefined), UsageError)
  t.throws(() => parseGroupProtocol('share', 'g'), UsageError)
})

t.test('assignment differences', async t => {
  const a = new Map([['x', [0, 1, 2]], ['y', [0]]])
  t.same(minus(a, new Map([['x', [1]], ['y', [0]]])), new Map([['x', [0, 2]]]))
  t.same(minus(a, new Map()), a)
  t.same(minus(new Map(), a), new Map())
})

t.test('range assignor over several topics: each topic ranged over its own subscribers', async t => {
  const got = rangeAssign([{ memberId: 'm2', topics: ['a', 'b'] }, { memberId: 'm1', topics: ['a', 'b'] }, { memberId: 'm3', topics: ['b'] }], new Map([['a', 3], ['b', 2]]))
  t.same(got.get('m1'), new Map([['a', [0, 1]], ['b', [0]]]))
  t.same(got.get('m2'), new Map([['a', [2]], ['b', [1]]]))
  t.same(got.get('m3'), new Map())
})
