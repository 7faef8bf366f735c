// The broker's state: config, cluster identity, the metadata image (through the controller), and the
// partition logs it leads. Handlers reach everything through this object.
import { mkdir, writeFile, readFile, rm, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { BrokerConfig } from '../config/broker-config.js'
import { parseValue, type ConfigValue } from '../config/config-def.js'
import { topicConfigDef } from '../config/topic-config.js'
import { brokerDefaultOf } from '../config/dynamic-broker-config.js'
import { configLayers, topicConfigEntries } from './config-admin.js'
import { LogManager } from '../log/log-manager.js'
import type { LogOptions } from '../log/partition-log.js'
import { topicLogOptions } from '../config/log-configs.js'
import { MetadataLog, METADATA_TOPIC } from '../metadata/metadata-log.js'
import { Controller } from '../metadata/controller.js'
import type { TopicImage } from '../metadata/image.js'
import { loadOrCreateMetaProperties } from './meta-properties.js'
import { Partition } from './partition.js'
import { METADATA_VERSION_LEVEL, GROUP_VERSION_LEVEL, TRANSACTION_VERSION_LEVEL } from './features.js'
import type { Logger } from '../server/logger.js'
import { GroupCoordinator, coordinatorConfigFrom } from '../coordinator/group-coordinator.js'
import { systemClock, type Clock } from '../coordinator/clock.js'
import { TransactionCoordinator, transactionConfigFrom } from '../coordinator/transaction-coordinator.js'
import { ProducerIdManager } from '../coordinator/producer-ids.js'
import { ClientQuotas } from './quotas.js'
import { FetchSessionCache } from './fetch-session-cache.js'

/** How many partition logs start-up opens at once. */
const OPEN_PARTITIONS_CONCURRENCY = 16

export class Broker {
  readonly partitions = new Map<string, Partition>()
  advertisedHost: string
  advertisedPort: number
  shuttingDown = false
  /** The classic group coordinator; its __consumer_offsets partitions load in the background after open. */
  groups!: GroupCoordinator
  /** The transaction coordinator (__transaction_state) and the producer id allocator behind InitProducerId. */
  transactions!: TransactionCoordinator
  private producerExpiry: NodeJS.Timeout | undefined
  /** Produce and fetch byte-rate quotas (client quotas from the metadata image). */
  readonly quotas: ClientQuotas
  /** Incremental fetch sessions (KIP-227), owned by the broker as in Kafka, not by a connection. */
  readonly fetchSessions: FetchSessionCache

  private constructor (
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly clusterId: string,
    readonly directoryId: string,
    readonly metadata: MetadataLog,
    readonly controller: Controller,
    readonly logs: LogManager
  ) {
    const adv = config.advertised
    this.advertisedHost = adv.host
    this.advertisedPort = adv.port
    this.quotas = new ClientQuotas(metadata.image, { samples: config.int('quota.window.num'), windowMs: config.int('quota.window.size.seconds') * 1000 })
    this.fetchSessions = new FetchSessionCache({ slots: config.int('max.incremental.fetch.session.cache.slots') })
  }

  get nodeId (): number { return this.config.nodeId }

  static async open (config: BrokerConfig, log: Logger, clock: Clock = systemClock): Promise<Broker> {
    const dataDir = config.dataDir
    await mkdir(dataDir, { recursive: true })
    const meta = await loadOrCreateMetaProperties(dataDir, config.nodeId)
    const metadata = await MetadataLog.open(dataDir, log)
    const controller = new Controller(metadata)
    if (!metadata.image.features.has('metadata.version')) {
      await controller.run(() => ({
        records: [{ type: 'FeatureLevelRecord', data: { name: 'metadata.version', featureLevel: METADATA_VERSION_LEVEL } }],
        result: undefined
      }))
    }
    // Kafka 4.x formats new clusters with group.version=1 (KIP-848 consumer groups); data dirs written
    // before samsa served them get it too, so their clients may use the consumer protocol. A feature
    // that UpdateFeatures set to 0 stays at 0.
    if (!metadata.image.featuresRecorded.has('group.version')) {
      await controller.run(() => ({
        records: [{ type: 'FeatureLevelRecord', data: { name: 'group.version', featureLevel: GROUP_VERSION_LEVEL } }],
        result: undefined
      }))
    }
    // transaction.version=2 likewise (Kafka 4.x's default for new clusters: transactions v2).
    if (!metadata.image.featuresRecorded.has('transaction.version')) {
      await controller.run(() => ({
        records: [{ type: 'FeatureLevelRecord', data: { name: 'transaction.version', featureLevel: TRANSACTION_VERSION_LEVEL } }],
        result: undefined
      }))
    }
    const logs = new LogManager(dataDir, { logger: log })
    const broker = new Broker(config, log, meta.clusterId, meta.directoryId, metadata, controller, logs)
    await broker.openPartitions()
    broker.groups = new GroupCoordinator(broker, coordinatorConfigFrom(broker), clock)
    void broker.groups.startLoading()
    broker.transactions = new TransactionCoordinator(broker, transactionConfigFrom(broker), clock, new ProducerIdManager(controller, config.nodeId))
    broker.transactions.offsetsSink = { completeTransaction: (p, pid, commit) => { broker.groups.txnOffsets.complete(p, pid, commit) } }
    void broker.transactions.startLoading()
    broker.scheduleProducerExpiry()
    return broker
  }

  private async openPartitions (): Promise<void> {
    const image = this.metadata.image
    const wanted = new Set<string>()
    for (const t of image.topicsByName.values()) {
      for (const p of t.partitions) wanted.add(`${t.name}-${p.partition}`)
    }
    // Directories of topics that were deleted (or recreated under a new id) while we were down are strays.
    for (const entry of await readdir(this.config.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === `${METADATA_TOPIC}-0` || entry.name.startsWith('.')) continue
      if (!/-\d+$/.test(entry.name)) continue
      const dir = join(this.config.dataDir, entry.name)
      const id = await readPartitionTopicId(dir)
      const topic = entry.name.replace(/-\d+$/, '')
      if (!wanted.has(entry.name) || (id !== null && image.topicsByName.get(topic)?.id !== id)) {
        this.log.warn({ dir }, 'removing stray partition directory of a topic that no longer exists')
        await rm(dir, { recursive: true, force: true })
      }
    }
    // Opening a log is mostly waiting on the disk (stats, index reads, fsyncs): a bounded number at
    // a time overlaps those waits without holding thousands of files open at once.
    const todo = [...image.topicsByName.values()].flatMap(t => t.partitions.map(p => ({ t, p })))
    let next = 0
    const opener = async (): Promise<void> => {
      while (next < todo.length) {
        const { t, p } = todo[next++]!
        await this.openPartition(t, p.partition, p.leaderEpoch)
      }
    }
    await Promise.all(Array.from({ length: Math.min(OPEN_PARTITIONS_CONCURRENCY, todo.length) }, opener))
  }

  async openPartition (t: TopicImage, index: number, leaderEpoch: number): Promise<Partition> {
    const log = await this.logs.getOrCreate(t.name, index, this.logOptions(t))
    await writePartitionMetadata(log.dir, t.id)
    const p = new Partition(t.name, t.id, index, log, leaderEpoch)
    this.partitions.set(`${t.name}-${index}`, p)
    return p
  }

  /** Kafka's producer-expiry task: every producer.id.expiration.check.interval.ms, idle producers go. */
  private scheduleProducerExpiry (): void {
    this.producerExpiry = setTimeout(() => {
      const now = Date.now()
      for (const p of this.partitions.values()) p.log.producerState.removeExpired(now)
      this.scheduleProducerExpiry()
    }, this.config.int('producer.id.expiration.check.interval.ms'))
    this.producerExpiry.unref()
  }

  partition (topic: string, index: number): Partition | undefined {
    return this.partitions.get(`${topic}-${index}`)
  }

  /**
   * A topic config's effective value: the topic's override, else its broker synonym (dynamic per-broker >
   * dynamic cluster default > static, through Kafka's ms/minutes/hours chains), else Kafka's default.
   */
  topicConfig (t: { configs: ReadonlyMap<string, string> } | undefined, name: string): ConfigValue | null {
    const def = topicConfigDef(name)
    if (def === undefined) throw new Error(`unknown topic config ${name}`)
    const override = t?.configs.get(name)
    if (override !== undefined) return parseValue(def, override)
    if (def.brokerSynonym !== undefined) return brokerDefaultOf(configLayers(this), def.brokerSynonym)
    return def.default === null ? null : parseValue(def, def.default)
  }

  private logOptions (t: TopicImage): LogOptions {
    return {
      segmentBytes: this.topicConfig(t, 'segment.bytes') as number,
      indexIntervalBytes: this.topicConfig(t, 'index.interval.bytes') as number,
      segmentIndexBytes: this.topicConfig(t, 'segment.index.bytes') as number,
      ...topicLogOptions(name => this.topicConfig(t, name)),
      producerIdExpirationMs: this.config.int('producer.id.expiration.ms'),
      logger: this.log
    }
  }

  /** Every topic config with its value and where it came from, as CreateTopics v5+ and DescribeConfigs report them. */
  describeTopicConfigs (t: { configs: Map<string, string> }): { name: string, value: string | null, source: number, readOnly: boolean, sensitive: boolean }[] {
    return topicConfigEntries(this, t.configs, false, false).map(e => ({ name: e.name, value: e.value, source: e.configSource, readOnly: e.readOnly, sensitive: e.isSensitive }))
  }

  async closePartitionsOf (topic: TopicImage): Promise<void> {
    for (const p of topic.partitions) {
      const key = `${topic.name}-${p.partition}`
      const part = this.partitions.get(key)
      this.partitions.delete(key)
      part?.wake()
      await this.logs.deletePartition(topic.name, p.partition)
    }
  }

  async close (): Promise<void> {
    this.shuttingDown = true
    for (const p of this.partitions.values()) p.wake()
    clearTimeout(this.producerExpiry)
    this.fetchSessions.close()
    await this.transactions.close()
    await this.groups.close()
    await this.controller.drain()
    await this.logs.closeAll()
    await this.metadata.close()
  }
}

// Kafka writes partition.metadata in each partition directory so a directory can be matched to its topic id.
async function writePartitionMetadata (dir: string, topicId: string): Promise<void> {
  const body = `version: 0\ntopic_id: ${topicId}\n`
  const path = join(dir, 'partition.metadata')
  try {
    if (await readFile(path, 'utf8') === body) return
  } catch {}
  await writeFile(path, body)
}

async function readPartitionTopicId (dir: string): Promise<string | null> {
  try {
    const m = /topic_id:\s*(\S+)/.exec(await readFile(join(dir, 'partition.metadata'), 'utf8'))
    return m === null ? null : m[1]!
  } catch {
    return null
  }
}
