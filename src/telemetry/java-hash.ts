// Java's iteration order for a HashSet<String>, and the hash codes behind it. Kafka's ClientMetricsManager
// sends the requested metrics in a HashSet's order and derives the subscription id from that set's
// toString(), so reproducing the order is what makes both match a real broker's byte for byte.
import { uuidToBytes } from '../wire/uuid.js'

/** java.lang.String.hashCode over UTF-16 code units, wrapping at 32 bits. */
export function javaStringHash (s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}

/** org.apache.kafka.common.Uuid.hashCode: the xor of the two longs, folded to an int. */
export function kafkaUuidHash (id: string): number {
  const b = uuidToBytes(id)
  return b.readInt32BE(0) ^ b.readInt32BE(4) ^ b.readInt32BE(8) ^ b.readInt32BE(12)
}

const DEFAULT_CAPACITY = 16
const LOAD_FACTOR = 0.75

/** HashMap.tableSizeFor: the next power of two at or above `n`. */
function tableSizeFor (n: number): number {
  let cap = 1
  while (cap < n) cap *= 2
  return Math.min(cap, 1 << 30)
}

/**
 * A model of java.util.HashSet<String>'s iteration: buckets by HashMap's spread hash, insertion order within
 * a bucket (resizing splits a bucket keeping relative order). Bins that Java would turn into trees (eight
 * collisions in one bucket) are kept as lists, whose order can differ from Java's.
 */
export class JavaHashSet {
  private table: string[][]
  private size = 0

  /** `initialCapacity` as HashMap's constructor takes it; HashSet(Collection) is `fromCollection`. */
  constructor (initialCapacity = DEFAULT_CAPACITY) {
    this.table = Array.from({ length: tableSizeFor(Math.max(1, initialCapacity)) }, () => [])
  }

  /**
   * new HashSet<>(c) as JDK 21 (the apache/kafka image's runtime) sizes it: HashMap.newHashMap(max(n, 12)),
   * a capacity of ceil(n / 0.75); JDK 17's (n / .75 + 1) differs only for 12, 24, 48… elements.
   */
  static fromCollection (c: readonly string[]): JavaHashSet {
    const s = new JavaHashSet(Math.ceil(Math.max(c.length, 12) / LOAD_FACTOR))
    for (const x of c) s.add(x)
    return s
  }

  has (x: string): boolean {
    return this.table[this.index(x, this.table.length)]!.includes(x)
  }

  add (x: string): boolean {
    const bucket = this.table[this.index(x, this.table.length)]!
    if (bucket.includes(x)) return false
    bucket.push(x)
    if (++this.size > this.table.length * LOAD_FACTOR) this.resize()
    return true
  }

  clear (): void {
    for (const b of this.table) b.length = 0
    this.size = 0
  }

  values (): string[] {
    return this.table.flat()
  }

  /** AbstractCollection.toString: "[a, b]". */
  toString (): string {
    return `[${this.values().join(', ')}]`
  }

  private index (x: string, n: number): number {
    const h = javaStringHash(x)
    return ((h ^ (h >>> 16)) & (n - 1)) >>> 0
  }

  private resize (): void {
    const next: string[][] = Array.from({ length: this.table.length * 2 }, () => [])
    for (const bucket of this.table) for (const x of bucket) next[this.index(x, next.length)]!.push(x)
    this.table = next
  }
}
