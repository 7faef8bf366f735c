// The `range` assignor (Kafka's server-side RangeAssignor, sticky as in KIP-848). Per topic, each of its
// subscribers (in member-id order) has a quota of `partitions / subscribers`, and the first
// `partitions % subscribers` may hold one more. A member keeps its lowest previous partitions up to the
// quota (one more if it already held more and an extra is still free); the remaining partitions are then
// handed out in ascending contiguous runs to the members under quota. Fresh groups, and topics with the
// same partition count and subscribers, therefore get the same ranges: co-partitioned topics put
// partition i of each on one member. Kafka iterates members in hash order where samsa uses member-id
// order, so which of several equal members gets a topic's extra partition can differ.
import { type Assignor, type AssignorInput, addPartition, emptyResult } from './assignor.js'
import type { Assignment } from '../consumer-group.js'

export const rangeAssignor: Assignor = {
  name: 'range',
  assign (input: AssignorInput): Map<string, Assignment> {
    const out = emptyResult(input)
    const ids = [...input.members.keys()].sort()
    for (const t of [...input.topics.keys()].sort()) {
      const n = input.topics.get(t)!
      const subs = ids.filter(id => input.members.get(id)!.topics.has(t))
      if (subs.length === 0) continue
      const min = Math.floor(n / subs.length)
      let extras = n % subs.length
      const kept = new Set<number>()
      const unfilled: [string, number][] = []
      for (const id of subs) {
        const current = [...(input.members.get(id)!.current.get(t) ?? [])].filter(p => p < n).sort((x, y) => x - y)
        const retain = Math.min(current.length, min)
        for (let i = 0; i < retain; i++) {
          addPartition(out.get(id)!, t, current[i]!)
          kept.add(current[i]!)
        }
        const remaining = min - current.length
        if (remaining < 0 && extras > 0) {
          extras--
          addPartition(out.get(id)!, t, current[min]!)
          kept.add(current[min]!)
        } else {
          unfilled.push([id, remaining])
        }
      }
      const free: number[] = []
      for (let p = 0; p < n; p++) if (!kept.has(p)) free.push(p)
      let next = 0
      for (const [id, remaining] of unfilled) {
        let want = remaining
        if (extras > 0) {
          want++
          extras--
        }
        for (let i = 0; i < want && next < free.length; i++) addPartition(out.get(id)!, t, free[next++]!)
      }
    }
    return out
  }
}
