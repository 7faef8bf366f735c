import t, { type Test } from 'tap'
import { uniformAssignor } from '../../src/coordinator/assignors/uniform.js'
import { rangeAssignor } from '../../src/coordinator/assignors/range.js'
import type { Assignor, AssignorInput, AssignorMember } from '../../src/coordinator/assignors/assignor.js'
import type { Assignment } from '../../src/coordinator/consumer-group.js'

type Plain = Record<string, Record<string, number[]>>

const toAssignment = (x: Record<string, number[]> = {}): Assignment => new Map(Object.entries(x).map(([k, v]) => [k, new Set(v)]))
const plain = (out: Map<string, Assignment>): Plain =>
  Object.fromEntries([...out].sort(([a], [b]) => a < b ? -1 : 1).map(([id, a]) => [id, Object.fromEntries([...a].filter(([, ps]) => ps.size > 0).sort(([x], [y]) => x < y ? -1 : 1).map(([tp, ps]) => [tp, [...ps].sort((x, y) => x - y)]))]))

function input (topics: Record<string, number>, members: Record<string, { topics: string[], current?: Record<string, number[]> }>): AssignorInput {
  return {
    topics: new Map(Object.entries(topics)),
    members: new Map(Object.entries(members).map(([id, m]): [string, AssignorMember] => [id, { topics: new Set(m.topics), rackId: null, current: toAssignment(m.current) }]))
  }
}

const run = (a: Assignor, i: AssignorInput): Plain => plain(a.assign(i))
const sizes = (p: Plain): number[] => Object.values(p).map(a => Object.values(a).reduce((n, ps) => n + ps.length, 0))

/** Every partition of every subscribed topic goes to exactly one subscriber of it. */
function checkComplete (t: Test, i: AssignorInput, p: Plain): void {
  const seen = new Map<string, string>()
  for (const [id, a] of Object.entries(p)) {
    for (const [tp, ps] of Object.entries(a)) {
      t.ok(i.members.get(id)!.topics.has(tp), `${id} subscribes to ${tp}`)
      for (const x of ps) {
        t.notOk(seen.has(`${tp}:${x}`), `${tp}:${x} assigned once`)
        seen.set(`${tp}:${x}`, id)
      }
    }
  }
  let want = 0
  for (const [tp, n] of i.topics) if ([...i.members.values()].some(m => m.topics.has(tp))) want += n
  t.equal(seen.size, want, 'every subscribed partition assigned')
}

// A small deterministic PRNG so the randomized cases are reproducible.
function rng (seed: number): () => number {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff }
}

t.test('uniform, homogeneous: balanced, complete, and Kafka\'s quota order', async t => {
  const i = input({ t1: 3, t2: 4 }, { a: { topics: ['t1', 't2'] }, b: { topics: ['t1', 't2'] }, c: { topics: ['t1', 't2'] } })
  const p = run(uniformAssignor, i)
  checkComplete(t, i, p)
  t.same(sizes(p), [3, 2, 2], 'the first member (by id) takes the extra partition')
  t.same(p, { a: { t1: [0, 1, 2] }, b: { t2: [0, 1] }, c: { t2: [2, 3] } }, 'fresh: partitions handed out in topic and partition order')
})

t.test('uniform, homogeneous: sticky when a member joins or leaves', async t => {
  const before = { a: { t: [0, 1, 2] }, b: { t: [3, 4, 5] } }
  const joined = run(uniformAssignor, input({ t: 6 }, { a: { topics: ['t'], current: before.a }, b: { topics: ['t'], current: before.b }, c: { topics: ['t'] } }))
  t.same(joined, { a: { t: [0, 1] }, b: { t: [3, 4] }, c: { t: [2, 5] } }, 'a and b each give up only their excess partition to c')
  const left = run(uniformAssignor, input({ t: 6 }, { a: { topics: ['t'], current: joined.a }, c: { topics: ['t'], current: joined.c } }))
  t.same(left, { a: { t: [0, 1, 3] }, c: { t: [2, 4, 5] } }, 'b left: a and c keep theirs and share b\'s')
  const again = run(uniformAssignor, input({ t: 6 }, { a: { topics: ['t'], current: left.a }, c: { topics: ['t'], current: left.c } }))
  t.same(again, left, 'an unchanged group keeps its assignment')
})

t.test('uniform, homogeneous: partitions of topics no longer subscribed or gone are dropped', async t => {
  const p = run(uniformAssignor, input({ t: 4 }, { a: { topics: ['t'], current: { t: [0, 1, 5], old: [0] } }, b: { topics: ['t'], current: { t: [2, 3] } } }))
  t.same(p, { a: { t: [0, 1] }, b: { t: [2, 3] } })
})

t.test('uniform, homogeneous: randomized balance, completeness and minimal movement', async t => {
  const r = rng(7)
  for (let round = 0; round < 40; round++) {
    const nTopics = 1 + Math.floor(r() * 3)
    const topics: Record<string, number> = {}
    for (let k = 0; k < nTopics; k++) topics[`t${k}`] = 1 + Math.floor(r() * 12)
    const names = Object.keys(topics)
    const nMembers = 1 + Math.floor(r() * 6)
    const members: Record<string, { topics: string[] }> = {}
    for (let k = 0; k < nMembers; k++) members[`m${k}`] = { topics: names }
    const i = input(topics, members)
    const p = run(uniformAssignor, i)
    checkComplete(t, i, p)
    const s = sizes(p)
    t.ok(Math.max(...s) - Math.min(...s) <= 1, `round ${round}: balanced ${s}`)
    // one member more, then each old member moves only what exceeds its new quota
    const next: Record<string, { topics: string[], current?: Record<string, number[]> }> = { zz: { topics: names } }
    for (const [id, a] of Object.entries(p)) next[id] = { topics: names, current: a }
    const i2 = input(topics, next)
    const p2 = run(uniformAssignor, i2)
    checkComplete(t, i2, p2)
    const total = Object.values(topics).reduce((a, b) => a + b, 0)
    const maxQuota = Math.ceil(total / (nMembers + 1))
    for (const [id, a] of Object.entries(p)) {
      const kept = Object.entries(a).reduce((n, [tp, ps]) => n + ps.filter(x => p2[id]![tp]?.includes(x) === true).length, 0)
      const had = Object.values(a).reduce((n, ps) => n + ps.length, 0)
      t.ok(kept >= Math.min(had, maxQuota - 1), `round ${round}: ${id} kept ${kept} of ${had}`)
    }
  }
})

t.test('uniform, heterogeneous: only subscribers, balanced where subscriptions allow, sticky', async t => {
  const i = input({ t1: 6, t2: 2 }, { a: { topics: ['t1', 't2'] }, b: { topics: ['t1'] }, c: { topics: ['t2'] } })
  const p = run(uniformAssignor, i)
  checkComplete(t, i, p)
  const s = sizes(p)
  t.ok(Math.max(...s) - Math.min(...s) <= 1 || p.c!.t2!.length === 2, `balanced as far as c's subscription allows: ${s}`)
  t.same(sizes(p).reduce((a, b) => a + b, 0), 8)
  const skewed = input({ t1: 4, t2: 4 }, { a: { topics: ['t1', 't2'], current: { t1: [0, 1, 2, 3], t2: [0, 1, 2, 3] } }, b: { topics: ['t1'] } })
  const q = run(uniformAssignor, skewed)
  checkComplete(t, skewed, q)
  t.same(q, { a: { t2: [0, 1, 2, 3] }, b: { t1: [0, 1, 2, 3] } }, 'b takes t1 partitions from a while that narrows a gap of two or more: four each')
  const again = run(uniformAssignor, input({ t1: 4, t2: 4 }, { a: { topics: ['t1', 't2'], current: q.a }, b: { topics: ['t1'], current: q.b } }))
  t.same(again, q, 'stable once balanced')
  const r = rng(3)
  for (let round = 0; round < 30; round++) {
    const topics: Record<string, number> = { x: 1 + Math.floor(r() * 10), y: 1 + Math.floor(r() * 10), z: 1 + Math.floor(r() * 10) }
    const members: Record<string, { topics: string[] }> = {}
    for (let k = 0; k < 2 + Math.floor(r() * 4); k++) {
      const subs = Object.keys(topics).filter(() => r() < 0.6)
      members[`m${k}`] = { topics: subs.length > 0 ? subs : ['x'] }
    }
    const i3 = input(topics, members)
    const p3 = run(uniformAssignor, i3)
    checkComplete(t, i3, p3)
    // no partition could move to one of its subscribers and narrow a gap of more than one
    const size = new Map(Object.entries(p3).map(([id, a]) => [id, Object.values(a).reduce((n, ps) => n + ps.length, 0)]))
    let improvable = false
    for (const [id, a] of Object.entries(p3)) for (const tp of Object.keys(a)) for (const [other, m] of i3.members) if (m.topics.has(tp) && size.get(other)! + 1 < size.get(id)!) improvable = true
    t.notOk(improvable, `round ${round}: no move narrows a gap of two or more`)
  }
})

t.test('assignors are deterministic: member insertion order does not matter', async t => {
  for (const a of [uniformAssignor, rangeAssignor]) {
    const fwd = input({ t1: 5, t2: 3 }, { a: { topics: ['t1', 't2'], current: { t1: [4] } }, b: { topics: ['t1'] }, c: { topics: ['t1', 't2'], current: { t2: [0, 1, 2] } } })
    const rev = { topics: fwd.topics, members: new Map([...fwd.members].reverse()) }
    t.same(run(a, rev), run(a, fwd), a.name)
  }
})

t.test('range: fresh ranges, co-partitioned topics', async t => {
  const i = input({ t1: 5, t2: 5 }, { a: { topics: ['t1', 't2'] }, b: { topics: ['t1', 't2'] } })
  const p = run(rangeAssignor, i)
  checkComplete(t, i, p)
  t.same(p, { a: { t1: [0, 1, 2], t2: [0, 1, 2] }, b: { t1: [3, 4], t2: [3, 4] } }, 'contiguous ranges, the first member one more')
  const mixed = run(rangeAssignor, input({ t1: 4, t2: 2 }, { a: { topics: ['t1'] }, b: { topics: ['t1', 't2'] }, c: { topics: ['t2'] } }))
  t.same(mixed, { a: { t1: [0, 1] }, b: { t1: [2, 3], t2: [0] }, c: { t2: [1] } }, 'each topic ranged over its own subscribers')
})

t.test('range: sticky as Kafka\'s, and co-partitioning survives membership changes', async t => {
  const two = { a: { t1: [0, 1], t2: [0, 1] }, b: { t1: [2], t2: [2] } }
  const three = run(rangeAssignor, input({ t1: 3, t2: 3 }, { a: { topics: ['t1', 't2'], current: two.a }, b: { topics: ['t1', 't2'], current: two.b }, c: { topics: ['t1', 't2'] } }))
  t.same(three, { a: { t1: [0], t2: [0] }, b: { t1: [2], t2: [2] }, c: { t1: [1], t2: [1] } }, 'a keeps its lowest partition, b keeps its own, c gets the one freed (Kafka\'s test case)')
  const left = run(rangeAssignor, input({ t1: 3, t2: 3 }, { b: { topics: ['t1', 't2'], current: three.b }, c: { topics: ['t1', 't2'], current: three.c } }))
  t.same(left, { b: { t1: [0, 2], t2: [0, 2] }, c: { t1: [1], t2: [1] } }, 'a left: b and c keep theirs, b takes the extra')
  const grown = run(rangeAssignor, input({ t1: 6, t2: 6 }, { b: { topics: ['t1', 't2'], current: left.b }, c: { topics: ['t1', 't2'], current: left.c } }))
  for (const id of ['b', 'c']) t.same(grown[id]!.t1, grown[id]!.t2, `${id}: same partitions of both topics after they grew`)
  t.same(sizes(grown), [6, 6])
  t.ok([0, 2].every(x => grown.b!.t1!.includes(x)) && grown.c!.t1!.includes(1), 'previous partitions kept')
})
