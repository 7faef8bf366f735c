// KIP-714 broker side, after Kafka's ClientMetricsManager, ClientMetricsInstance and
// ClientMetricsInstanceMetadata: client instances (an id handed out on first contact, the subscription set
// matched at creation, request timestamps for the push-interval rules), the CLIENT_METRICS subscriptions
// they match, and the validation of GetTelemetrySubscriptions and PushTelemetry. What happens to accepted
// metrics is the exporter's business (see receiver.ts).
//
// Kafka keeps subscriptions in a map updated by the metadata publisher and bumps a version on every change;
// here they are read from the metadata image on each request and a change of their content bumps the same
// version, so instances are re-evaluated at the same moments. Kafka's expiry timer and disconnect listener
// are applied lazily, on the next telemetry request, which is when their effect could first be seen.
import { crc32c } from '../wire/crc32c.js'
import { randomUuid, ZERO_UUID } from '../wire/uuid.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { ConnectionInfo } from '../server/request-context.js'
import { JavaHashSet, kafkaUuidHash } from './java-hash.js'

/** Kafka's ClientMetricsManager.SUPPORTED_COMPRESSION_TYPES, in its order (the client takes the first it has). */
export const ACCEPTED_COMPRESSION_TYPES: readonly number[] = [4, 3, 1, 2]
export const DEFAULT_INTERVAL_MS = 300_000
/** Cache bounds of ClientMetricsManager: 16k instances (LRU), kept at least a minute after each request. */
export const CACHE_MAX_SIZE = 16384
export const DEFAULT_CACHE_EXPIRY_MS = 60_000
const ALL_METRICS = '*'
/** Uuid.RESERVED: the zero id and the metadata topic's id. */
const RESERVED_IDS = new Set([ZERO_UUID, 'AAAAAAAAAAAAAAAAAAAAAQ'])

/** What ClientMetricsInstanceMetadata and the JSON lines know of the requesting client. */
export interface ClientInfo {
  connection: ConnectionInfo
  clientId: string | null
  softwareName: string
  softwareVersion: string
  sourceAddress: string | null
  sourcePort: string | null
}

export interface Subscription {
  name: string
  metrics: string[]
  intervalMs: number
  match: Map<string, RegExp>
}

export interface ClientInstance {
  readonly id: string
  readonly attributes: ReadonlyMap<string, string | null>
  readonly subscriptionId: number
  readonly subscriptionVersion: number
  /** In the order Kafka's HashSet iterates them. */
  readonly metrics: readonly string[]
  readonly pushIntervalMs: number
  lastGetMs: number
  lastPushMs: number
  terminating: boolean
  lastKnownError: number
  expiresAtMs: number
  /** The connection of the request that last set the expiry (Kafka's ExpirationTimerTask connection id). */
  expiryConnectionId: number
}

export interface SubscriptionsResponse {
  throttleTimeMs: number
  errorCode: number
  clientInstanceId?: string
  subscriptionId?: number
  acceptedCompressionTypes?: number[]
  pushIntervalMs?: number
  telemetryMaxBytes?: number
  deltaTemporality?: boolean
  requestedMetrics?: string[]
}

export interface PushRequest {
  clientInstanceId: string
  subscriptionId: number
  terminating: boolean
  compressionType: number
  metrics: Buffer
}

/** Thrown by an exporter whose decompressed payload is over telemetry.max.bytes (TELEMETRY_TOO_LARGE). */
export class TelemetryTooLargeError extends Error {
  override name = 'TelemetryTooLargeError'
}

export type Exporter = (instance: ClientInstance, request: PushRequest, client: ClientInfo) => Promise<void>

export interface ClientMetricsManagerOptions {
  telemetryMaxBytes: number
  /** The CLIENT_METRICS resources' stored configs, by subscription name. */
  subscriptionConfigs: () => Iterable<[string, ReadonlyMap<string, string>]>
  now?: () => number
  cacheExpiryMs?: number
  cacheMaxSize?: number
}

export class ClientMetricsManager {
  readonly telemetryMaxBytes: number
  private readonly now: () => number
  private readonly cacheExpiryMs: number
  private readonly cacheMaxSize: number
  /** Insertion order is access order (Kafka's LRUCache). */
  private readonly instances = new Map<string, ClientInstance>()
  /** Kafka's clientConnectionIdMap: the instance last created on each connection. */
  private readonly byConnection = new Map<number, { connection: ConnectionInfo, instanceId: string }>()
  private subscriptionVersion = 0
  private fingerprint = ''
  private subscriptions: Subscription[] = []

  constructor (private readonly opts: ClientMetricsManagerOptions) {
    this.telemetryMaxBytes = opts.telemetryMaxBytes
    this.now = opts.now ?? Date.now
    this.cacheExpiryMs = opts.cacheExpiryMs ?? DEFAULT_CACHE_EXPIRY_MS
    this.cacheMaxSize = opts.cacheMaxSize ?? CACHE_MAX_SIZE
  }

  /** ClientMetricsManager.processGetTelemetrySubscriptionRequest. */
  getSubscriptions (requestedId: string, client: ClientInfo): SubscriptionsResponse {
    const now = this.now()
    this.refresh(now)
    const id = requestedId === ZERO_UUID ? this.newInstanceId() : requestedId
    const instance = this.lookup(id, client, now)
    const elapsed = now - Math.max(instance.lastGetMs, instance.lastPushMs)
    if (elapsed >= instance.pushIntervalMs) instance.lastGetMs = now
    // A client told its subscription or codec was wrong may ask again at once.
    else if (instance.lastKnownError !== ErrorCode.UNKNOWN_SUBSCRIPTION_ID && instance.lastKnownError !== ErrorCode.UNSUPPORTED_COMPRESSION_TYPE) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED }
    }
    instance.lastKnownError = ErrorCode.NONE
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      clientInstanceId: id,
      subscriptionId: instance.subscriptionId,
      acceptedCompressionTypes: [...ACCEPTED_COMPRESSION_TYPES],
      pushIntervalMs: instance.pushIntervalMs,
      telemetryMaxBytes: this.telemetryMaxBytes,
      deltaTemporality: true,
      requestedMetrics: [...instance.metrics]
    }
  }

  /**
   * ClientMetricsManager.processPushTelemetryRequest: validates, then hands a non-empty payload to `exporter`;
   * returns the error code of the answer.
   */
  async push (req: PushRequest, client: ClientInfo, exporter: Exporter): Promise<number> {
    if (RESERVED_IDS.has(req.clientInstanceId)) return ErrorCode.INVALID_REQUEST
    const now = this.now()
    this.refresh(now)
    const instance = this.lookup(req.clientInstanceId, client, now)
    const error = this.validatePush(req, instance, now)
    // Kafka records the request's terminating flag whether or not the push was accepted.
    instance.terminating = req.terminating
    if (error !== ErrorCode.NONE) {
      instance.lastKnownError = error
      return error
    }
    if (req.metrics.length > 0) {
      try {
        await exporter(instance, req, client)
      } catch (e) {
        // A payload over the limit may succeed once smaller; anything else tells the client to stop pushing.
        instance.lastKnownError = e instanceof TelemetryTooLargeError ? ErrorCode.TELEMETRY_TOO_LARGE : ErrorCode.INVALID_RECORD
        return instance.lastKnownError
      }
    }
    instance.lastKnownError = ErrorCode.NONE
    return ErrorCode.NONE
  }

  /** The cached instance, if any (for tests and logs). */
  instance (id: string): ClientInstance | undefined {
    return this.instances.get(id)
  }

  get size (): number {
    return this.instances.size
  }

  private validatePush (req: PushRequest, instance: ClientInstance, now: number): number {
    if (instance.terminating) return ErrorCode.INVALID_REQUEST
    // A push right after GetTelemetrySubscriptions is accepted early: clients jitter the interval by ±50%.
    let accept = instance.lastGetMs > instance.lastPushMs
    if (!accept) accept = now - instance.lastPushMs >= instance.pushIntervalMs
    if (accept) instance.lastPushMs = now
    else if (!req.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED
    if (req.subscriptionId !== instance.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID
    // CompressionType.forId accepts every codec Kafka has, not only the advertised ones.
    if (req.compressionType < 0 || req.compressionType > 4) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE
    if (req.metrics.length > this.telemetryMaxBytes) return ErrorCode.TELEMETRY_TOO_LARGE
    return ErrorCode.NONE
  }

  /** ClientMetricsManager.clientInstance: cached, re-evaluated after a subscription change, or created. */
  private lookup (id: string, client: ClientInfo, now: number): ClientInstance {
    let instance = this.instances.get(id)
    if (instance === undefined) {
      instance = this.create(id, instanceAttributes(id, client), client.connection)
    } else if (instance.subscriptionVersion < this.subscriptionVersion) {
      instance = this.create(id, instance.attributes, client.connection)
    } else {
      this.instances.delete(id)
      this.instances.set(id, instance)
    }
    instance.expiresAtMs = now + Math.max(this.cacheExpiryMs, instance.pushIntervalMs * 3)
    instance.expiryConnectionId = client.connection.id
    return instance
  }

  private create (id: string, attributes: ReadonlyMap<string, string | null>, connection: ConnectionInfo): ClientInstance {
    let pushIntervalMs = DEFAULT_INTERVAL_MS
    const metrics = new JavaHashSet()
    let all = false
    for (const s of this.subscriptions) {
      if (!matches(attributes, s.match)) continue
      all ||= s.metrics.includes(ALL_METRICS)
      for (const m of JavaHashSet.fromCollection(s.metrics).values()) metrics.add(m)
      pushIntervalMs = Math.min(pushIntervalMs, s.intervalMs)
    }
    if (all) {
      metrics.clear()
      metrics.add(ALL_METRICS)
    }
    const instance: ClientInstance = {
      id,
      attributes,
      subscriptionId: subscriptionId(metrics, pushIntervalMs, id),
      subscriptionVersion: this.subscriptionVersion,
      metrics: metrics.values(),
      pushIntervalMs,
      lastGetMs: 0,
      lastPushMs: 0,
      terminating: false,
      lastKnownError: ErrorCode.NONE,
      expiresAtMs: 0,
      expiryConnectionId: connection.id
    }
    this.instances.delete(id)
    this.instances.set(id, instance)
    if (this.instances.size > this.cacheMaxSize) this.instances.delete(this.instances.keys().next().value!)
    this.byConnection.set(connection.id, { connection, instanceId: id })
    return instance
  }

  private newInstanceId (): string {
    for (;;) {
      const id = randomUuid()
      if (!this.instances.has(id)) return id
    }
  }

  /** Applies subscription changes, closed connections and expiry that happened since the last request. */
  private refresh (now: number): void {
    const subs = readSubscriptions(this.opts.subscriptionConfigs())
    const fingerprint = JSON.stringify(subs.map(s => [s.name, s.metrics, s.intervalMs, [...s.match].map(([k, v]) => [k, v.source])]))
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint
      this.subscriptions = subs
      this.subscriptionVersion++
    }
    for (const [connId, { connection, instanceId }] of this.byConnection) {
      if (connection.closed) {
        this.byConnection.delete(connId)
        this.instances.delete(instanceId)
      }
    }
    for (const [id, instance] of this.instances) {
      if (instance.expiresAtMs > now) continue
      this.instances.delete(id)
      this.byConnection.delete(instance.expiryConnectionId)
    }
  }
}

/** Kafka's subscription id: CRC-32C of the metric set's toString() and the interval, xor the instance id's hash. */
export function subscriptionId (metrics: JavaHashSet, pushIntervalMs: number, instanceId: string): number {
  const crc = crc32c(Buffer.from(`${metrics.toString()}${pushIntervalMs}`, 'utf8'))
  return (crc | 0) ^ kafkaUuidHash(instanceId)
}

function instanceAttributes (id: string, c: ClientInfo): Map<string, string | null> {
  return new Map([
    ['client_instance_id', id],
    ['client_id', c.clientId],
    ['client_software_name', c.softwareName],
    ['client_software_version', c.softwareVersion],
    ['client_source_address', c.sourceAddress],
    ['client_source_port', c.sourcePort]
  ])
}

/** ClientMetricsInstanceMetadata.isMatch: every pattern must fully match a present attribute. */
function matches (attributes: ReadonlyMap<string, string | null>, patterns: ReadonlyMap<string, RegExp>): boolean {
  for (const [name, re] of patterns) {
    const value = attributes.get(name)
    if (value === null || value === undefined || !re.test(value)) return false
  }
  return true
}

/** ConfigDef.Type.LIST parsing: trimmed, split at commas with the blanks around them, empty means none. */
function parseList (raw: string | undefined): string[] {
  const t = (raw ?? '').trim()
  return t === '' ? [] : t.split(/\s*,\s*/)
}

/**
 * The subscriptions Kafka's broker would hold: every CLIENT_METRICS resource with at least one config, with
 * ClientMetricsConfigs' defaults filled in. Patterns are compiled anchored, as Matcher.matches() is full-match;
 * one that does not parse (it was validated when stored, so only by a JavaScript/Java syntax difference)
 * matches nothing.
 */
export function readSubscriptions (configs: Iterable<[string, ReadonlyMap<string, string>]>): Subscription[] {
  const out: Subscription[] = []
  for (const [name, c] of configs) {
    if (c.size === 0) continue
    const interval = Number(c.get('interval.ms') ?? DEFAULT_INTERVAL_MS)
    const match = new Map<string, RegExp>()
    for (const pattern of parseList(c.get('match'))) {
      const parts = pattern.split('=')
      while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
      if (parts.length !== 2) continue
      try {
        match.set(parts[0]!.trim(), new RegExp(`^(?:${parts[1]!.trim()})$`))
      } catch {
        match.set(parts[0]!.trim(), /(?!)/)
      }
    }
    out.push({ name, metrics: parseList(c.get('metrics')), intervalMs: Number.isFinite(interval) ? interval : DEFAULT_INTERVAL_MS, match })
  }
  // ConcurrentHashMap iterates by the names' hash buckets; modelled by a HashSet of the names.
  const order = new JavaHashSet()
  for (const s of out) order.add(s.name)
  const byName = new Map(out.map(s => [s.name, s]))
  return order.values().map(n => byName.get(n)!)
}
