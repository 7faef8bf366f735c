import t from 'tap'
import { parseProperties, PropertiesError } from '../../src/config/properties.js'

const entries = (text: string): [string, string][] => [...parseProperties(text)]

t.test('separators: =, :, and whitespace, with surrounding blanks trimmed', async t => {
  t.same(entries('a=1\nb = 2\nc:3\nd : 4\ne 5\nf\t\t6\n'), [['a', '1'], ['b', '2'], ['c', '3'], ['d', '4'], ['e', '5'], ['f', '6']])
  t.same(entries('key\n'), [['key', '']], 'a key alone has an empty value')
  t.same(entries('k=a=b'), [['k', 'a=b']], 'only the first separator splits')
  t.same(entries('k = v  '), [['k', 'v  ']], 'trailing blanks of a value are kept, as in Java')
})

t.test('comments and blank lines', async t => {
  t.same(entries('# comment\n! also\n\n   # indented comment\nlisteners=PLAINTEXT://:9092\n'), [['listeners', 'PLAINTEXT://:9092']])
  t.same(entries('a=b # not a comment'), [['a', 'b # not a comment']])
})

t.test('line continuations join lines and drop the next line\'s leading blanks', async t => {
  t.same(entries('list=a,\\\n    b,\\\n\tc\nnext=1'), [['list', 'a,b,c'], ['next', '1']])
  t.same(entries('path=c:\\\\\nnext=1'), [['path', 'c:\\'], ['next', '1']], 'an even run of backslashes is no continuation')
})

t.test('escapes', async t => {
  t.same(entries('tab=a\\tb\nnl=a\\nb\nuni=\\u0041\\u00e9\nplain=\\q'), [['tab', 'a\tb'], ['nl', 'a\nb'], ['uni', 'Aé'], ['plain', 'q']])
  t.same(entries('key\\ with\\ spaces = v\nk\\=eq=v2\nk\\:colon:v3'), [['key with spaces', 'v'], ['k=eq', 'v2'], ['k:colon', 'v3']])
})

t.test('CRLF and CR line endings', async t => {
  t.same(entries('a=1\r\nb=2\rc=3'), [['a', '1'], ['b', '2'], ['c', '3']])
})

t.test('later keys win', async t => {
  t.same(entries('a=1\na=2'), [['a', '2']])
})

t.test('an empty key is reported with its source and line', async t => {
  t.throws(() => parseProperties('ok=1\n=value', 'server.properties'), PropertiesError)
  t.throws(() => parseProperties('ok=1\n=value', 'server.properties'), /server\.properties:2/)
})

t.test('a continuation backslash at the end of input is dropped', async t => {
  t.same(entries('last=x\\'), [['last', 'x']])
})
