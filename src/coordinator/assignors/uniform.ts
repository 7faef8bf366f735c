// The `uniform` assignor (Kafka's default UniformAssignor): spreads every subscribed partition so member
// counts differ by at most one among members that could take it, while keeping each member's previous
// target partitions where balance allows (sticky). Kafka's exact placement (its optimized homogeneous
// builder and the heterogeneous general builder, rack awareness) is not reproduced: the same inputs can
// yield a different, equally balanced and sticky, assignment.
import { type Assignor, type AssignorInput, addPartition, count, emptyResult } from './assignor.js'
import type { Assignment } from '../consumer-group.js'

export const uniformAssignor: Assignor = {
  name: 'uniform',
  assign (input: AssignorInput): Map<string, Assignment> {
    const out = emptyResult(input)
    const memberIds = [...input.members.keys()].sort()
    const subscribers = new Map<string, string[]>()
    for (const id of memberIds) for (const t of input.members.get(id)!.topics) if (input.topics.has(t)) (subscribers.get(t) ?? subscribers.set(t, []).get(t)!).push(id)
    const total = [...subscribers.keys()].reduce((n, t) => n + input.topics.get(t)!, 0)
    const homogeneous = memberIds.every(id => sameSet(input.members.get(id)!.topics, input.members.get(memberIds[0]!)!.topics))
    // Homogeneous subscriptions have exact quotas (floor, and ceil for the first `total % n` that keep most).
    const quota = new Map<string, number>()
    if (homogeneous && memberIds.length > 0) {
      const base = Math.floor(total / memberIds.length)
      let extra = total % memberIds.length
      const byKept = [...memberIds].sort((a, b) => keptCount(input, b) - keptCount(input, a) || (a < b ? -1 : 1))
      for (const id of byKept) quota.set(id, base + (extra-- > 0 ? 1 : 0))
    }
    const taken = new Set<string>()
    const key = (t: string, p: number): string => `${t}:${p}`
    // 1. Sticky: keep previous partitions still subscribed and existing, up to the quota.
    for (const id of memberIds) {
      const m = input.members.get(id)!
      const a = out.get(id)!
      for (const [t, ps] of m.current) {
        const n = input.topics.get(t)
        if (n === undefined || !m.topics.has(t)) continue
        for (const p of [...ps].sort((x, y) => x - y)) {
          if (p >= n || taken.has(key(t, p))) continue
          if (quota.has(id) && count(a) >= quota.get(id)!) break
          addPartition(a, t, p)
          taken.add(key(t, p))
        }
      }
    }
    // 2. Hand out the rest, each to the least-loaded subscriber (ties: member id).
    for (const t of [...subscribers.keys()].sort()) {
      const subs = subscribers.get(t)!
      for (let p = 0; p < input.topics.get(t)!; p++) {
        if (taken.has(key(t, p))) continue
        const id = leastLoaded(subs, out, quota)
        addPartition(out.get(id)!, t, p)
        taken.add(key(t, p))
      }
    }
    // 3. Heterogeneous subscriptions: move partitions from the most to the least loaded member that can
    //    take them until no such move narrows the gap.
    if (!homogeneous) balance(input, out)
    return out
  }
}

function keptCount (input: AssignorInput, id: string): number {
  const m = input.members.get(id)!
  let n = 0
  for (const [t, ps] of m.current) if (m.topics.has(t) && input.topics.has(t)) for (const p of ps) if (p < input.topics.get(t)!) n++
  return n
}

function leastLoaded (ids: string[], out: Map<string, Assignment>, quota: Map<string, number>): string {
  let best = ids[0]!
  let bestLoad = Infinity
  for (const id of ids) {
    const load = count(out.get(id)!)
    const room = quota.has(id) ? quota.get(id)! - load : 0
    // Under quotas, a member with room wins over one without; then the smaller load.
    const score = quota.has(id) ? (room > 0 ? load : load + 1e9) : load
    if (score < bestLoad) { best = id; bestLoad = score }
  }
  return best
}

function balance (input: AssignorInput, out: Map<string, Assignment>): void {
  for (let guard = 0; guard < 100_000; guard++) {
    let moved = false
    const ids = [...out.keys()].sort((a, b) => count(out.get(b)!) - count(out.get(a)!) || (a < b ? -1 : 1))
    outer: for (const from of ids) {
      const fromA = out.get(from)!
      for (const to of [...ids].reverse()) {
        if (count(fromA) - count(out.get(to)!) <= 1) continue
        const can = input.members.get(to)!.topics
        for (const [t, ps] of fromA) {
          if (!can.has(t) || ps.size === 0) continue
          const p = Math.max(...ps)
          ps.delete(p)
          if (ps.size === 0) fromA.delete(t)
          addPartition(out.get(to)!, t, p)
          moved = true
          break outer
        }
      }
    }
    if (!moved) return
  }
}

function sameSet (a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false
  for (const x of a) if (!b.has(x)) return false
  return true
}
