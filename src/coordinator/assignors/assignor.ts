// The server-side assignor interface (Kafka's ConsumerGroupPartitionAssignor): given every member's
// subscription and current target, and the subscribed topics' partition counts, compute a new target.
import type { Assignment } from '../consumer-group.js'

export interface AssignorMember {
  /** Topic ids the member subscribes to (existing topics only). */
  topics: Set<string>
  rackId: string | null
  /** The member's partitions in the previous target assignment (stickiness). */
  current: Assignment
}

export interface AssignorInput {
  /** member id -> spec, iterated in a stable order */
  members: Map<string, AssignorMember>
  /** topic id -> partition count */
  topics: Map<string, number>
}

export interface Assignor {
  readonly name: string
  assign: (input: AssignorInput) => Map<string, Assignment>
}

export function emptyResult (input: AssignorInput): Map<string, Assignment> {
  return new Map([...input.members.keys()].map(id => [id, new Map()]))
}

export function addPartition (a: Assignment, topicId: string, p: number): void {
  let ps = a.get(topicId)
  if (ps === undefined) a.set(topicId, ps = new Set())
  ps.add(p)
}

export function count (a: Assignment): number {
  let n = 0
  for (const ps of a.values()) n += ps.size
  return n
}
