// The `uniform` assignor (Kafka's default UniformAssignor). Balance first (member sizes differ by at most
// one where subscriptions allow it), stickiness second (a member keeps its previous target partitions).
// Homogeneous subscriptions follow Kafka's UniformHomogeneousAssignmentBuilder: exact quotas (the first
// `total % members` members, in member-id order, may hold one more), each member keeps its previous
// partitions up to its quota, and the freed and new partitions fill the members still under quota in
// order. Heterogeneous ones follow UniformHeterogeneousAssignmentBuilder: keep every still-subscribed
// previous partition, hand the rest (topics with most partitions per subscriber first) to the least
// loaded subscriber, then move partitions from a member to a less loaded subscriber while that narrows a
// gap of more than one. Kafka iterates members in hash order; samsa uses member-id order, so which member
// of equals gets the extra partition can differ from Kafka, never the balance or what is kept.
import { type Assignor, type AssignorInput, addPartition, emptyResult } from './assignor.js'
import type { Assignment } from '../consumer-group.js'

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign (input: AssignorInput): Map<string, Assignment> {
    const ids = [...input.members.keys()].sort()
    if (ids.length === 0) return new Map()
    const first = input.members.get(ids[0]!)!.topics
    const homogeneous = ids.every(id => sameSet(input.members.get(id)!.topics, first))
    return homogeneous ? homogeneousAssign(input, ids, [...first].filter(t => input.topics.has(t)).sort()) : heterogeneousAssign(input, ids)
  }
}

function homogeneousAssign (input: AssignorInput, ids: string[], topics: string[]): Map<string, Assignment> {
  const out = emptyResult(input)
  if (topics.length === 0) return out
  const subscribed = new Set(topics)
  const held = new Set<string>()
  for (const id of ids) {
    for (const [t, ps] of input.members.get(id)!.current) {
      if (!subscribed.has(t)) continue
      for (const p of ps) if (p < input.topics.get(t)!) held.add(key(t, p))
    }
  }
  const unassigned: [string, number][] = []
  let total = 0
  for (const t of topics) {
    const n = input.topics.get(t)!
    total += n
    for (let p = 0; p < n; p++) if (!held.has(key(t, p))) unassigned.push([t, p])
  }
  const min = Math.floor(total / ids.length)
  let extra = total % ids.length
  const unfilled: [string, number][] = []
  for (const id of ids) {
    let quota = min + (extra > 0 ? 1 : 0)
    if (extra > 0) extra--
    const a = out.get(id)!
    for (const t of [...input.members.get(id)!.current.keys()].sort()) {
      if (!subscribed.has(t)) continue
      const n = input.topics.get(t)!
      for (const p of [...input.members.get(id)!.current.get(t)!].sort((x, y) => x - y)) {
        if (p >= n) continue
        if (quota > 0) {
          addPartition(a, t, p)
          quota--
        } else {
          unassigned.push([t, p])
        }
      }
    }
    if (quota > 0) unfilled.push([id, quota])
  }
  let next = 0
  for (const [id, quota] of unfilled) {
    for (let i = 0; i < quota && next < unassigned.length; i++, next++) addPartition(out.get(id)!, unassigned[next]![0], unassigned[next]![1])
  }
  return out
}

function heterogeneousAssign (input: AssignorInput, ids: string[]): Map<string, Assignment> {
  const out = emptyResult(input)
  const subscribers = new Map<string, string[]>()
  for (const id of ids) {
    for (const t of input.members.get(id)!.topics) {
      if (!input.topics.has(t)) continue
      let list = subscribers.get(t)
      if (list === undefined) subscribers.set(t, list = [])
      list.push(id)
    }
  }
  const owner = new Map<string, string>()
  const sizes = new Map(ids.map(id => [id, 0]))
  const give = (id: string, t: string, p: number): void => {
    addPartition(out.get(id)!, t, p)
    owner.set(key(t, p), id)
    sizes.set(id, sizes.get(id)! + 1)
  }
  const take = (id: string, t: string, p: number): void => {
    const ps = out.get(id)!.get(t)!
    ps.delete(p)
    if (ps.size === 0) out.get(id)!.delete(t)
    sizes.set(id, sizes.get(id)! - 1)
  }
  for (const id of ids) {
    const m = input.members.get(id)!
    for (const [t, ps] of m.current) {
      if (!m.topics.has(t) || !input.topics.has(t)) continue
      for (const p of [...ps].sort((x, y) => x - y)) if (p < input.topics.get(t)! && !owner.has(key(t, p))) give(id, t, p)
    }
  }
  // Kafka's order: more partitions per subscriber first, then fewer subscribers, then partition id.
  const weight = (t: string): number => input.topics.get(t)! / subscribers.get(t)!.length
  const all: [string, number][] = []
  for (const t of subscribers.keys()) for (let p = 0; p < input.topics.get(t)!; p++) all.push([t, p])
  all.sort(([ta, pa], [tb, pb]) => weight(tb) - weight(ta) || subscribers.get(ta)!.length - subscribers.get(tb)!.length || pa - pb || (ta < tb ? -1 : ta > tb ? 1 : 0))
  const leastLoaded = (cands: string[]): string => cands.reduce((best, id) => sizes.get(id)! < sizes.get(best)! ? id : best)
  for (const [t, p] of all) if (!owner.has(key(t, p))) give(leastLoaded(subscribers.get(t)!), t, p)
  // Each move lowers the sum of squared sizes, so this ends; the guard only bounds a logic error.
  for (let moved = true, guard = 0; moved && guard < 10_000; guard++) {
    moved = false
    for (const [t, p] of all) {
      const subs = subscribers.get(t)!
      if (subs.length < 2) continue
      const from = owner.get(key(t, p))!
      const to = leastLoaded(subs)
      if (sizes.get(to)! + 1 < sizes.get(from)!) {
        take(from, t, p)
        give(to, t, p)
        moved = true
      }
    }
  }
  return out
}

const key = (t: string, p: number): string => `${t}:${p}`

function sameSet (a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}
