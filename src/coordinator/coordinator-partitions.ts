// Which partitions of a coordinator's internal topic (__consumer_offsets, __transaction_state) this
// broker has loaded, and the loading itself: the topic is created on first use, each partition is read
// back once, and keys map to partitions by Kafka's abs(hashCode) % partitions. Both coordinators answer
// NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS from here, as Kafka's CoordinatorRuntime does.
import { ErrorCode } from '../wire/generated/errors.js'
import { ensureInternalTopic } from '../broker/topic-admin.js'
import type { Broker } from '../broker/broker.js'
import type { Partition } from '../broker/partition.js'
import type { Logger } from '../server/logger.js'
import { partitionForGroup } from './partitioner.js'

export interface InternalTopic {
  name: string
  /** Used when the topic does not exist yet (and to create it). */
  numPartitions: number
  replicationFactor: number
  configs: Record<string, string>
  /** What the topic's keys are, for log lines: "groups", "transactional ids". */
  keys: string
}

/**
 * Reads one partition back into the coordinator's state. It may return an action to run once the
 * partition counts as loaded; a throw leaves the partition unserved.
 */
export type LoadPartition = (partition: Partition, index: number) => Promise<(() => void) | undefined>

export class CoordinatorPartitions {
  private readonly states = new Map<number, 'loading' | 'loaded'>()
  private loading: Promise<void> = Promise.resolve()
  private ensuring: Promise<void> | null = null

  constructor (
    private readonly broker: Broker,
    private readonly topic: InternalTopic,
    private readonly load: LoadPartition,
    private readonly isClosed: () => boolean,
    private readonly log: Logger
  ) {}

  /** Partition count of the topic when it exists, else the count it will be created with. */
  numPartitions (): number {
    return this.broker.metadata.image.topicsByName.get(this.topic.name)?.partitions.length ?? this.topic.numPartitions
  }

  partitionFor (key: string): number {
    return partitionForGroup(key, this.numPartitions())
  }

  /** Whether the partition of `key` is loaded here. */
  owns (key: string): boolean {
    return this.states.get(this.partitionFor(key)) === 'loaded'
  }

  /** Kafka's error for a key this coordinator cannot serve right now, or null. */
  availability (key: string): number | null {
    if (this.isClosed()) return ErrorCode.NOT_COORDINATOR
    if (!this.broker.metadata.image.topicsByName.has(this.topic.name)) return ErrorCode.NOT_COORDINATOR
    const state = this.states.get(this.partitionFor(key))
    if (state === undefined) return ErrorCode.NOT_COORDINATOR
    if (state === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS
    return null
  }

  get isLoading (): boolean {
    for (const s of this.states.values()) if (s === 'loading') return true
    return false
  }

  /** Starts loading every partition of an existing topic (broker start). */
  startLoading (): Promise<void> {
    const t = this.broker.metadata.image.topicsByName.get(this.topic.name)
    if (t !== undefined) this.loading = this.loadPartitions(t.partitions.map(p => p.partition))
    return this.loading
  }

  /** Resolves when the partitions found at start have loaded (never rejects). */
  whenLoaded (): Promise<void> { return this.loading }

  /** Creates the topic on first use and loads partitions not yet loaded. */
  ensureTopic (): Promise<void> {
    // Concurrent first lookups share one creation and load, so none answers before the partitions are ready.
    this.ensuring ??= this.createAndLoad().finally(() => { this.ensuring = null })
    return this.ensuring
  }

  private async createAndLoad (): Promise<void> {
    const { name, numPartitions, replicationFactor, configs } = this.topic
    const t = await ensureInternalTopic(this.broker, name, numPartitions, replicationFactor, configs)
    const missing = t.partitions.map(p => p.partition).filter(p => !this.states.has(p))
    if (missing.length > 0) await this.loadPartitions(missing)
  }

  private async loadPartitions (indexes: number[]): Promise<void> {
    for (const i of indexes) this.states.set(i, 'loading')
    for (const i of indexes) {
      if (this.isClosed()) return
      const p = this.broker.partition(this.topic.name, i)
      if (p === undefined) {
        this.states.delete(i)
        continue
      }
      let loaded: (() => void) | undefined
      try {
        loaded = await this.load(p, i)
      } catch (err) {
        this.log.error({ err, partition: i }, `failed to load ${this.topic.name} partition; not serving its ${this.topic.keys}`)
        this.states.delete(i)
        continue
      }
      this.states.set(i, 'loaded')
      loaded?.()
    }
  }
}
