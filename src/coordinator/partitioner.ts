// Which __consumer_offsets partition holds a group: Kafka's Utils.abs(groupId.hashCode()) % partitions,
// with Java's String.hashCode over UTF-16 code units (JS strings are UTF-16 too, so charCodeAt matches).
export function javaStringHashCode (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

export function partitionForGroup (groupId: string, numPartitions: number): number {
  return (javaStringHashCode(groupId) & 0x7fffffff) % numPartitions
}
