// The `range` assignor (Kafka's server-side RangeAssignor): for each topic, its subscribers sorted by member
// id get contiguous ranges, the first `partitions % subscribers` one partition more. Topics with the same
// partition count and subscribers are therefore co-partitioned (partition i of each goes to one member).
// Kafka's 4.x version also keeps a member's previous partitions where the range sizes allow; this one
// recomputes the ranges, which differs from Kafka only when members joined or left mid-range.
import { type Assignor, type AssignorInput, addPartition, emptyResult } from './assignor.js'
import type { Assignment } from '../consumer-group.js'

export const rangeAssignor: Assignor = {
  name: 'range',
  assign (input: AssignorInput): Map<string, Assignment> {
    const out = emptyResult(input)
    for (const [t, n] of input.topics) {
      const subs = [...input.members].filter(([, m]) => m.topics.has(t)).map(([id]) => id).sort()
      if (subs.length === 0) continue
      const base = Math.floor(n / subs.length)
      const extra = n % subs.length
      let p = 0
      subs.forEach((id, i) => {
        const size = base + (i < extra ? 1 : 0)
        for (let k = 0; k < size; k++) addPartition(out.get(id)!, t, p++)
      })
    }
    return out
  }
}
