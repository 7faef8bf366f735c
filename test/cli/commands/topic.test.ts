import t from 'tap'
import { startTestBroker } from '../../helpers/broker.js'
import { samsa } from './run.js'

t.test('topic create, list, describe, delete', async t => {
  const b = await startTestBroker(t)
  const created = await samsa(b.port, ['topic', 'create', 'orders', '-p', '3', '-c', 'retention.ms=1000'])
  t.equal(created.code, 0, created.stderr)
  t.match(created.stdout, /orders\s+\S+\s+3\s+1/)
  const again = await samsa(b.port, ['topic', 'create', 'orders'])
  t.equal(again.code, 1)
  t.match(again.stderr, /TOPIC_ALREADY_EXISTS/)
  const list = await samsa(b.port, ['topic', 'list', '--json'])
  t.equal(list.code, 0, list.stderr)
  t.same(JSON.parse(list.stdout).map((x: any) => [x.name, x.partitions]), [['orders', 3]])
  const desc = await samsa(b.port, ['topic', 'describe', 'orders', '--json'])
  t.equal(desc.code, 0, desc.stderr)
  const d = JSON.parse(desc.stdout)
  t.same(d.partitions.map((p: any) => [p.partition, p.leader]), [[0, 1], [1, 1], [2, 1]])
  const del = await samsa(b.port, ['topic', 'delete', 'orders', 'nope'])
  t.equal(del.code, 1)
  t.match(del.stdout, /orders\s+OK/)
  t.match(del.stdout, /nope\s+.*UNKNOWN_TOPIC_OR_PARTITION/)
  const after = await samsa(b.port, ['topic', 'list'])
  t.notMatch(after.stdout, /orders/)
})
