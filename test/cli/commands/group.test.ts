import t from 'tap'
import { startTestBroker } from '../../helpers/broker.js'
import { samsa } from './run.js'
import { liveConsume } from './consume-live.js'

t.test('group consume commits on exit and resumes; list, describe, seek, delete', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '0' } })
  t.equal((await samsa(b.port, ['topic', 'create', 'jobs', '-p', '2'])).code, 0)
  t.equal((await samsa(b.port, ['produce', 'jobs', '-p', '0'], { stdin: 'a\nb\nc\n' })).code, 0)
  t.equal((await samsa(b.port, ['produce', 'jobs', '-p', '1'], { stdin: 'd\ne\n' })).code, 0)

  const first = await samsa(b.port, ['consume', 'jobs', '-g', 'workers', '-n', '2', '-f', '%p:%v\\n'])
  t.equal(first.code, 0, first.stderr)
  t.equal(first.stdout.split('\n').filter(Boolean).length, 2)
  const rest = await samsa(b.port, ['consume', 'jobs', '-g', 'workers', '-e', '-f', '%p:%v\\n'])
  t.equal(rest.code, 0, rest.stderr)
  t.same([...first.stdout.split('\n'), ...rest.stdout.split('\n')].filter(Boolean).sort(), ['0:a', '0:b', '0:c', '1:d', '1:e'], 'every record exactly once across the two runs')
  const none = await samsa(b.port, ['consume', 'jobs', '-g', 'workers', '-e'])
  t.equal(none.stdout, '', 'nothing left after the commit')

  const list = await samsa(b.port, ['group', 'list', '--json'])
  t.equal(list.code, 0, list.stderr)
  t.same(JSON.parse(list.stdout).map((g: any) => [g.groupId, g.state, g.protocolType]), [['workers', 'Empty', 'consumer']])

  const desc = await samsa(b.port, ['group', 'describe', 'workers', '--json'])
  t.equal(desc.code, 0, desc.stderr)
  const d = JSON.parse(desc.stdout)
  t.equal(d.state, 'Empty')
  t.same(d.offsets.map((o: any) => [o.topic, o.partition, o.committed, o.end, o.lag]), [['jobs', 0, 3, 3, 0], ['jobs', 1, 2, 2, 0]])
  const text = await samsa(b.port, ['group', 'describe', 'workers'])
  t.match(text.stdout, /TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/)

  const seek = await samsa(b.port, ['group', 'seek', 'workers', '--to', 'earliest'])
  t.equal(seek.code, 0, seek.stderr)
  t.match(seek.stdout, /jobs\s+0\s+0\n/)
  const again = await samsa(b.port, ['consume', 'jobs', '-g', 'workers', '-e'])
  t.equal(again.stdout.split('\n').filter(Boolean).length, 5, 'seek to earliest replays everything')
  const off = await samsa(b.port, ['group', 'seek', 'workers', '--to', 'offset:1', '--topic', 'jobs', '--json'])
  t.same(JSON.parse(off.stdout).offsets, [{ topic: 'jobs', partition: 0, offset: 1 }, { topic: 'jobs', partition: 1, offset: 1 }])
  const clamp = await samsa(b.port, ['group', 'seek', 'workers', '--to', 'offset:99', '--json'])
  t.same(JSON.parse(clamp.stdout).offsets.map((o: any) => o.offset), [3, 2], 'clamped to the log end')
  const latest = await samsa(b.port, ['group', 'seek', 'fresh', '--to', 'latest', '-t', 'jobs', '--json'])
  t.equal(latest.code, 0, latest.stderr)
  t.same(JSON.parse(latest.stdout).offsets.map((o: any) => o.offset), [3, 2], 'a group that does not exist yet can be seeded')
  t.equal((await samsa(b.port, ['group', 'seek', 'workers', '--to', 'sometime'])).code, 2)

  const del = await samsa(b.port, ['group', 'delete', 'workers'])
  t.equal(del.code, 0, del.stderr)
  const gone = await samsa(b.port, ['group', 'delete', 'workers'])
  t.equal(gone.code, 1)
  t.match(gone.stderr, /GROUP_ID_NOT_FOUND/)
})

t.test('seek refuses a group with members; a live member is described', async t => {
  const b = await startTestBroker(t, { config: { 'group.initial.rebalance.delay.ms': '0' } })
  t.equal((await samsa(b.port, ['topic', 'create', 'live', '-p', '3'])).code, 0)
  const ac = new AbortController()
  const running = samsa(b.port, ['consume', 'live', '-g', 'busy'], { signal: ac.signal })
  let d: any
  for (let i = 0; i < 50; i++) {
    const r = await samsa(b.port, ['group', 'describe', 'busy', '--json'])
    if (r.code === 0) { d = JSON.parse(r.stdout); if (d.state === 'Stable') break }
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.equal(d.state, 'Stable')
  t.equal(d.members.length, 1)
  t.same(d.members[0].assignment, { live: [0, 1, 2] }, 'range assignor gives the only member every partition')
  const seek = await samsa(b.port, ['group', 'seek', 'busy', '--to', 'earliest', '-t', 'live'])
  t.equal(seek.code, 1)
  t.match(seek.stderr, /can only be reset if the group 'busy' is inactive, but the current state is Stable/)
  const del = await samsa(b.port, ['group', 'delete', 'busy'])
  t.equal(del.code, 1)
  t.match(del.stderr, /NON_EMPTY_GROUP/)
  ac.abort()
  const r = await running
  t.equal(r.code, 0, r.stderr)
  const after = await samsa(b.port, ['group', 'describe', 'busy', '--json'])
  t.equal(JSON.parse(after.stdout).state, 'Empty', 'the member left on exit')
})

t.test('a KIP-848 consumer group: list shows its type, describe goes through ConsumerGroupDescribe, seek and delete work', async t => {
  const b = await startTestBroker(t)
  t.equal((await samsa(b.port, ['topic', 'create', 'kjobs', '-p', '3'])).code, 0)
  t.equal((await samsa(b.port, ['produce', 'kjobs', '-p', '1'], { stdin: 'x\ny\n' })).code, 0)
  const member = liveConsume(b.port, ['kjobs', '-g', 'kworkers', '--group-protocol', 'consumer', '-f', '%p:%v\\n'])
  t.teardown(async () => { await member.stop() })
  await member.until(c => c.lines().length === 2)

  const list = await samsa(b.port, ['group', 'list', '--json'])
  t.same(JSON.parse(list.stdout).map((g: any) => [g.groupId, g.type, g.state]), [['kworkers', 'consumer', 'Stable']])
  const text = await samsa(b.port, ['group', 'list'])
  t.match(text.stdout, /GROUP\s+TYPE\s+STATE\s+PROTOCOL-TYPE\nkworkers\s+consumer\s+Stable\s+consumer\n/)

  const desc = await samsa(b.port, ['group', 'describe', 'kworkers', '--json'])
  t.equal(desc.code, 0, desc.stderr)
  const d = JSON.parse(desc.stdout)
  t.same([d.state, d.protocolType, d.protocol, d.members.length], ['Stable', 'consumer', 'uniform', 1])
  t.same(d.members[0].assignment, { kjobs: [0, 1, 2] }, 'the one member owns every partition')
  t.same(d.offsets.map((o: any) => [o.partition, o.end, o.memberId]), [[0, 0, d.members[0].memberId], [1, 2, d.members[0].memberId], [2, 0, d.members[0].memberId]])

  const busy = await samsa(b.port, ['group', 'seek', 'kworkers', '--to', 'earliest', '--topic', 'kjobs'])
  t.equal(busy.code, 1, 'a group with members is not reset')
  t.match(busy.stderr, /inactive, but the current state is Stable/)
  t.equal(await member.stop(), 0)

  const empty = JSON.parse((await samsa(b.port, ['group', 'describe', 'kworkers', '--json'])).stdout)
  t.same([empty.state, empty.members], ['Empty', []])
  t.same(empty.offsets.map((o: any) => [o.partition, o.committed]), [[0, 0], [1, 2], [2, 0]], 'offsets committed on exit')
  const seek = await samsa(b.port, ['group', 'seek', 'kworkers', '--to', 'earliest', '--json'])
  t.equal(seek.code, 0, seek.stderr)
  t.same(JSON.parse(seek.stdout).offsets.map((o: any) => o.offset), [0, 0, 0])
  const del = await samsa(b.port, ['group', 'delete', 'kworkers'])
  t.equal(del.code, 0, del.stderr)
  const gone = await samsa(b.port, ['group', 'describe', 'kworkers'])
  t.equal(gone.code, 1)
  t.match(gone.stderr, /GROUP_ID_NOT_FOUND/)
})
