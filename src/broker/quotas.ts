// Client quotas: Kafka's ClientQuotaControlManager (validating AlterClientQuotas into ClientQuotaRecords),
// ClientQuotasImage.describe (DescribeClientQuotas filters) and ClientQuotaManager (byte-rate enforcement
// by user and client id over a sampled window, with Kafka's throttle-time formula), plus the request
// (KIP-124), controller mutation (KIP-599) and ip connection-creation (KIP-612) quotas.
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import { ErrorCode } from '../wire/generated/errors.js'
import { clientQuotaKey, type MetadataImage, type MetadataRecord } from '../metadata/image.js'

export const USER = 'user'
export const CLIENT_ID = 'client-id'
export const IP = 'ip'
/** The principal name of every unauthenticated (PLAINTEXT) connection, as Kafka's user quotas see it. */
export const ANONYMOUS_USER = 'ANONYMOUS'

type KeyType = 'long' | 'double' | 'int'
/** QuotaConfig's keys for user and client-id entities, and for ip entities, with their config types. */
const USER_CLIENT_KEYS: ReadonlyMap<string, KeyType> = new Map([
  ['producer_byte_rate', 'long'], ['consumer_byte_rate', 'long'], ['request_percentage', 'double'], ['controller_mutation_rate', 'double']
])
const IP_KEYS: ReadonlyMap<string, KeyType> = new Map([['connection_creation_rate', 'int']])

export interface QuotaEntity { entityType: string, entityName: string | null }
export interface QuotaAlteration { entity: QuotaEntity[], ops: { key: string, value: number, remove: boolean }[] }
export interface QuotaAlterationResult { entity: QuotaEntity[], errorCode: number, errorMessage: string | null }

class QuotaError extends Error {
  constructor (readonly code: number, message: string) { super(message) }
}

/** Java's ClientQuotaEntity.toString, as Kafka's messages print it. */
function entityString (entity: QuotaEntity[]): string {
  return `ClientQuotaEntity(entries={${entity.map(e => `${e.entityType}=${e.entityName}`).join(', ')}})`
}

async function validIpEntity (ip: string | null): Promise<boolean> {
  if (ip === null || isIP(ip) !== 0) return true
  try {
    await lookup(ip)
    return true
  } catch {
    return false
  }
}

async function keysFor (entity: Map<string, string | null>): Promise<ReadonlyMap<string, KeyType>> {
  if (entity.size === 0) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Invalid empty client quota entity')
  for (const [type, name] of entity) {
    if (type !== USER && type !== CLIENT_ID && type !== IP) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Unhandled client quota entity type: ${type}`)
    if (name !== null && name.length === 0) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Empty ${type} not supported`)
  }
  if (entity.has(IP)) {
    // ClientQuotaControlManager joins two literals without a space ("shouldnot"); clients see exactly that.
    if (entity.has(USER) || entity.has(CLIENT_ID)) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId')
    const ip = entity.get(IP)!
    if (!await validIpEntity(ip)) throw new QuotaError(ErrorCode.INVALID_REQUEST, `${ip} is not a valid IP or resolvable host.`)
    return IP_KEYS
  }
  return USER_CLIENT_KEYS
}

function checkValue (keys: ReadonlyMap<string, KeyType>, key: string, value: number | null): void {
  const type = keys.get(key)
  if (type === undefined) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Invalid configuration key ${key}`)
  if (value === null) return
  if (!(value > 0)) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Quota ${key} must be greater than 0`)
  if (type === 'double') return
  if (type === 'int' && value > 2147483647) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Proposed value for ${key} is too large for an INT.`)
  if (type === 'long' && value > 9223372036854775807) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Proposed value for ${key} is too large for a LONG.`)
  if (Math.abs(value % 1) > 1e-6) throw new QuotaError(ErrorCode.INVALID_REQUEST, `${key} cannot be a fractional value.`)
}

/**
 * Plans AlterClientQuotas against the image: one result per distinct entity (a later alteration of the same
 * entity is refused, as Kafka's result map does) and the records for the entities that passed. Only changes
 * produce records: setting a value it already has or removing an absent key writes nothing.
 */
export async function planQuotaAlterations (image: MetadataImage, alterations: QuotaAlteration[]): Promise<{ results: QuotaAlterationResult[], records: MetadataRecord[] }> {
  const results = new Map<string, QuotaAlterationResult>()
  const records: MetadataRecord[] = []
  for (const a of alterations) {
    // The request's entity list becomes a map, so a type named twice keeps its last name.
    const asMap = new Map<string, string | null>()
    for (const e of a.entity) asMap.set(e.entityType, e.entityName)
    const entity = [...asMap].map(([entityType, entityName]) => ({ entityType, entityName }))
    const key = clientQuotaKey(entity)
    const fail = (code: number, message: string): void => { results.set(key, { entity, errorCode: code, errorMessage: message }) }
    const ops = new Map<string, number | null>()
    let duplicateKey = false
    for (const op of a.ops) {
      if (ops.has(op.key)) {
        fail(ErrorCode.INVALID_REQUEST, `Duplicate quota key ${op.key} not updating quota for this entity ${entityString(entity)}`)
        duplicateKey = true
      } else {
        ops.set(op.key, op.remove ? null : op.value)
      }
    }
    // Kafka checks "already has a result" after the duplicate-key check, so that case ends up here too.
    if (results.has(key) || duplicateKey) {
      fail(ErrorCode.INVALID_REQUEST, `Ignoring duplicate entity ${entityString(entity)}`)
      continue
    }
    try {
      const keys = await keysFor(asMap)
      for (const [k, v] of ops) checkValue(keys, k, v)
    } catch (e) {
      if (!(e instanceof QuotaError)) throw e
      fail(e.code, e.message)
      continue
    }
    const current = image.clientQuotas.get(key)?.quotas
    for (const [k, v] of ops) {
      if (v === null) {
        if (current?.has(k) === true) records.push({ type: 'ClientQuotaRecord', data: { entity, key: k, value: 0, remove: true } })
      } else if (current?.get(k) !== v) {
        records.push({ type: 'ClientQuotaRecord', data: { entity, key: k, value: v, remove: false } })
      }
    }
    results.set(key, { entity, errorCode: ErrorCode.NONE, errorMessage: null })
  }
  return { results: [...results.values()], records }
}

export interface QuotaFilter { entityType: string, matchType: number, match: string | null }
export interface DescribedQuota { entity: QuotaEntity[], values: { key: string, value: number }[] }

const MATCH_EXACT = 0
const MATCH_DEFAULT = 1
const MATCH_SPECIFIED = 2

/** ClientQuotasImage.describe: the entities matching every filter component (strict: and nothing else). */
export function describeQuotas (image: MetadataImage, components: QuotaFilter[], strict: boolean): DescribedQuota[] {
  const exact = new Map<string, string | null>()
  const typed = new Set<string>()
  for (const c of components) {
    if (c.entityType.length === 0) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.')
    if (exact.has(c.entityType) || typed.has(c.entityType)) throw new QuotaError(ErrorCode.INVALID_REQUEST, `Entity type ${c.entityType} cannot appear more than once in the filter.`)
    if (c.entityType !== IP && c.entityType !== USER && c.entityType !== CLIENT_ID) throw new QuotaError(ErrorCode.UNSUPPORTED_VERSION, `Unsupported entity type ${c.entityType}`)
    switch (c.matchType) {
      case MATCH_EXACT:
        if (c.match === null) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.')
        exact.set(c.entityType, c.match)
        break
      case MATCH_DEFAULT:
        if (c.match !== null) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.')
        exact.set(c.entityType, null)
        break
      case MATCH_SPECIFIED:
        if (c.match !== null) throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.')
        typed.add(c.entityType)
        break
      default:
        throw new QuotaError(ErrorCode.INVALID_REQUEST, `Unknown match type ${c.matchType}`)
    }
  }
  const uses = (t: string): boolean => exact.has(t) || typed.has(t)
  if (uses(IP) && (uses(USER) || uses(CLIENT_ID))) {
    throw new QuotaError(ErrorCode.INVALID_REQUEST, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.')
  }
  const out: DescribedQuota[] = []
  for (const e of image.clientQuotas.values()) {
    const names = new Map(e.entity.map(x => [x.entityType, x.entityName]))
    if (strict && names.size !== exact.size + typed.size) continue
    let ok = true
    for (const [t, name] of exact) if (!names.has(t) || names.get(t) !== name) { ok = false; break }
    if (ok) for (const t of typed) if (!names.has(t)) { ok = false; break }
    if (ok) out.push({ entity: e.entity.map(x => ({ ...x })), values: [...e.quotas].map(([key, value]) => ({ key, value })) })
  }
  return out
}

export { QuotaError }

// ---- Enforcement (ClientQuotaManager) ----

export interface QuotaWindow {
  /** quota.window.num */
  samples: number
  /** quota.window.size.seconds, in ms */
  windowMs: number
}

/** Kafka's Rate over a SampledStat: `samples` windows of `windowMs`, the oldest dropped as time moves on. */
class SampledRate {
  private readonly starts: number[] = []
  private readonly values: number[] = []
  private current = 0

  constructor (private readonly w: QuotaWindow) {}

  record (value: number, now: number): void {
    if (this.starts.length === 0) {
      this.starts.push(now)
      this.values.push(0)
      this.current = 0
    } else if (now >= this.starts[this.current]! + this.w.windowMs) {
      this.current = (this.current + 1) % this.w.samples
      if (this.current >= this.starts.length) {
        this.starts.push(now)
        this.values.push(0)
      } else {
        this.starts[this.current] = now
        this.values[this.current] = 0
      }
    }
    this.values[this.current]! += value
  }

  /** Drops samples that ended a full window span ago (purgeObsoleteSamples). */
  private purge (now: number): void {
    const expire = this.w.samples * this.w.windowMs
    for (let i = 0; i < this.starts.length; i++) {
      if (now - this.starts[i]! >= expire) {
        this.starts[i] = now
        this.values[i] = 0
      }
    }
  }

  /** Rate.windowSize: the time the retained samples cover, at least samples-1 full windows. */
  windowSize (now: number): number {
    this.purge(now)
    let oldest = now
    for (const s of this.starts) if (s < oldest) oldest = s
    let elapsed = now - oldest
    const fullWindows = Math.floor(elapsed / this.w.windowMs)
    const minFull = this.w.samples - 1
    if (fullWindows < minFull) elapsed += (minFull - fullWindows) * this.w.windowMs
    return elapsed === 0 ? 1 : elapsed
  }

  /** Units per second over the window. */
  rate (now: number): number {
    const size = this.windowSize(now)
    let total = 0
    for (const v of this.values) total += v
    return total / (size / 1000)
  }
}

interface Sensor { limit: number, rate: SampledRate, version: number }

/** Kafka's precedence of user/client-id quota entities for one quota key; null means no quota applies. */
function resolveUserClientQuota (image: MetadataImage, quotaKey: string, user: string, clientId: string): number | null {
  const q = image.clientQuotas
  const candidates: [string | null | undefined, string | null | undefined][] = [
    [user, clientId], [user, null], [user, undefined], [null, clientId], [null, null], [null, undefined], [undefined, clientId], [undefined, null]
  ]
  for (const [u, c] of candidates) {
    const entity: QuotaEntity[] = []
    if (u !== undefined) entity.push({ entityType: USER, entityName: u })
    if (c !== undefined) entity.push({ entityType: CLIENT_ID, entityName: c })
    const v = q.get(clientQuotaKey(entity))?.quotas.get(quotaKey)
    if (v !== undefined) return v
  }
  return null
}

/**
 * One quota type (producer_byte_rate or consumer_byte_rate). Sensors are per quota entity as Kafka's
 * metric tags are: clients resolving to the same entity (e.g. the default client-id quota) each get their
 * own sensor keyed by their own user and client id, as Kafka's default callback tags them.
 */
export class ClientQuotaManager {
  private readonly sensors = new Map<string, Sensor>()

  /** `maxThrottleMs` bounds the throttle time (QuotaUtils.boundedThrottleTime), as the request quota does. */
  constructor (private readonly image: MetadataImage, private readonly quotaKey: string, private readonly window: QuotaWindow, private readonly now: () => number = Date.now, private readonly maxThrottleMs = Infinity) {}

  /** The one check the hot path makes: false when no client quota of any kind exists. */
  active (): boolean {
    return this.image.clientQuotas.size !== 0
  }

  private resolve (user: string, clientId: string): number | null {
    return resolveUserClientQuota(this.image, this.quotaKey, user, clientId)
  }

  private sensor (user: string, clientId: string): Sensor | null {
    const key = `${user}\u0000${clientId}`
    let s = this.sensors.get(key)
    const version = this.image.clientQuotasVersion
    if (s !== undefined && s.version === version) return s
    const limit = this.resolve(user, clientId)
    if (limit === null) {
      this.sensors.delete(key)
      return null
    }
    if (s === undefined) s = { limit, rate: new SampledRate(this.window), version }
    else { s.limit = limit; s.version = version }
    this.sensors.set(key, s)
    return s
  }

  /** Records `bytes` for the client and returns the throttle time in ms (0 when within its quota or unquota'd). */
  recordAndGetThrottleTimeMs (user: string, clientId: string | null, bytes: number): number {
    if (this.image.clientQuotas.size === 0) return 0
    const s = this.sensor(user, clientId ?? '')
    if (s === null) return 0
    const now = this.now()
    s.rate.record(bytes, now)
    const rate = s.rate.rate(now)
    if (rate <= s.limit) return 0
    // QuotaUtils.throttleTime: how long until the rate over the window falls back to the bound.
    return Math.min(this.maxThrottleMs, Math.round((rate - s.limit) / s.limit * s.rate.windowSize(now)))
  }

  /** Records without throttling (Kafka's recordNoThrottle, e.g. the request quota's network-thread time). */
  recordNoThrottle (user: string, clientId: string | null, value: number): void {
    if (this.image.clientQuotas.size === 0) return
    this.sensor(user, clientId ?? '')?.rate.record(value, this.now())
  }

  /** Takes back a recording (Fetch answers a throttled request with no data, so its bytes do not count). */
  unrecord (user: string, clientId: string | null, bytes: number): void {
    if (this.image.clientQuotas.size === 0) return
    const s = this.sensor(user, clientId ?? '')
    s?.rate.record(-bytes, this.now())
  }

  /** getMaxValueInQuotaWindow: the most bytes one fetch may carry for this client (Infinity when unquota'd). */
  maxValueInQuotaWindow (user: string, clientId: string | null): number {
    if (this.image.clientQuotas.size === 0) return Infinity
    const limit = this.resolve(user, clientId ?? '')
    return limit === null ? Infinity : limit * (this.window.samples - 1) * (this.window.windowMs / 1000)
  }
}

/**
 * request_percentage (KIP-124). Kafka records a request's handler-thread time as a percentage of one
 * second (nanos * 100 / 1e9), so the rate over the window is the share of one handler thread the client
 * used. The throttle is bounded by one quota window, as ClientRequestQuotaManager bounds it.
 */
export class RequestQuotaManager {
  readonly manager: ClientQuotaManager

  constructor (image: MetadataImage, window: QuotaWindow, now: () => number = Date.now) {
    this.manager = new ClientQuotaManager(image, 'request_percentage', window, now, window.windowMs)
  }

  active (): boolean { return this.manager.active() }

  /** Handler time in ms, counted against the quota; returns the throttle time in ms. */
  recordAndGetThrottleTimeMs (user: string, clientId: string | null, handlerMs: number): number {
    return this.manager.recordAndGetThrottleTimeMs(user, clientId, handlerMs / 10)
  }

  /** Time spent outside the handler (encoding, like Kafka's network-thread time): counted, never throttled. */
  recordNoThrottle (user: string, clientId: string | null, ms: number): void {
    this.manager.recordNoThrottle(user, clientId, ms / 10)
  }
}

/** Kafka's TokenBucket stat: a burst of quota * samples * window seconds, refilled at `quota` per second. */
class TokenBucket {
  private tokens: number
  private last: number

  constructor (private quota: number, private burst: number, now: number) {
    this.tokens = burst
    this.last = now
  }

  reconfigure (quota: number, burst: number): void {
    this.quota = quota
    this.burst = burst
    this.tokens = Math.min(this.tokens, burst)
  }

  private refill (now: number): void {
    if (now > this.last) this.tokens = Math.min(this.burst, this.tokens + this.quota * (now - this.last) / 1000)
    this.last = Math.max(this.last, now)
  }

  measure (now: number): number {
    this.refill(now)
    return this.tokens
  }

  record (value: number, now: number): void {
    this.refill(now)
    this.tokens -= value
  }
}

/**
 * Runs a topic mutation under a controller mutation quota: the items the quota admits (each recording
 * its partition count once validated) go to `apply`; a strict quota's refusals become THROTTLING_QUOTA_EXCEEDED.
 * `validate` is a validateOnly pass giving each item's error and partition count.
 */
export async function withMutationQuota<I, O extends { errorCode: number, errorMessage: string | null }> (
  quota: MutationQuota, items: I[],
  validate: (items: I[]) => Promise<{ outcome: O, partitions: number }[]>,
  apply: (items: I[]) => Promise<O[]>
): Promise<O[]> {
  if (!quota.bounded) return await apply(items)
  const checked = await validate(items)
  const admitted: number[] = []
  const out: O[] = checked.map(c => c.outcome)
  for (const [i, c] of checked.entries()) {
    if (c.outcome.errorCode !== 0) continue
    try {
      quota.record(c.partitions)
      admitted.push(i)
    } catch (e) {
      if (!(e instanceof ThrottlingQuotaExceededError)) throw e
      out[i] = { ...c.outcome, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: e.message }
    }
  }
  const applied = await apply(admitted.map(i => items[i]!))
  for (const [k, i] of admitted.entries()) out[i] = applied[k]!
  return out
}

/** Thrown by a strict mutation quota: the topic's result is THROTTLING_QUOTA_EXCEEDED. */
export class ThrottlingQuotaExceededError extends Error {
  constructor (readonly throttleTimeMs: number) { super('The throttling quota has been exceeded.') }
}

/**
 * One request's view of a client's controller mutation quota (Kafka's ControllerMutationQuota). Strict
 * (CreateTopics v6+, CreatePartitions v3+, DeleteTopics v5+): a mutation is refused once the bucket is
 * already empty, but one that drains it below zero still passes. Permissive (older versions): every
 * mutation passes and the client is throttled once the bucket is empty.
 */
export interface MutationQuota {
  /** False when no controller_mutation_rate applies, so handlers can skip the per-topic accounting. */
  bounded: boolean
  /** Records `partitions` mutations; a strict quota throws ThrottlingQuotaExceededError instead when exhausted. */
  record: (partitions: number) => void
  /** The throttle time for the response, less the time since it was computed. */
  throttleTime: () => number
}

const UNBOUNDED_MUTATION_QUOTA: MutationQuota = { bounded: false, record: () => {}, throttleTime: () => 0 }

interface MutationSensor { bucket: TokenBucket, limit: number, version: number }

/** controller_mutation_rate (KIP-599): partitions created or deleted per second, per user and client id. */
export class ControllerMutationQuotaManager {
  private readonly sensors = new Map<string, MutationSensor>()

  constructor (private readonly image: MetadataImage, private readonly window: QuotaWindow, private readonly now: () => number = Date.now) {}

  private sensor (user: string, clientId: string): MutationSensor | null {
    const key = `${user}\u0000${clientId}`
    let s = this.sensors.get(key)
    const version = this.image.clientQuotasVersion
    if (s !== undefined && s.version === version) return s
    const limit = resolveUserClientQuota(this.image, 'controller_mutation_rate', user, clientId)
    if (limit === null) {
      this.sensors.delete(key)
      return null
    }
    const burst = limit * this.window.samples * this.window.windowMs / 1000
    if (s === undefined) s = { bucket: new TokenBucket(limit, burst, this.now()), limit, version }
    else { s.bucket.reconfigure(limit, burst); s.limit = limit; s.version = version }
    this.sensors.set(key, s)
    return s
  }

  /** The quota for one request; `strict` is whether the request's version is at or past the KIP-599 bump. */
  newQuotaFor (user: string, clientId: string | null, strict: boolean): MutationQuota {
    if (this.image.clientQuotas.size === 0) return UNBOUNDED_MUTATION_QUOTA
    const s = this.sensor(user, clientId ?? '')
    if (s === null) return UNBOUNDED_MUTATION_QUOTA
    let lastThrottle = 0
    let lastAt = 0
    // ControllerMutationQuotaManager.throttleTimeMs for a TokenBucket: time to refill to zero tokens.
    const violation = (tokens: number, at: number): void => {
      lastThrottle = Math.round(-tokens / s.limit * 1000)
      lastAt = at
    }
    return {
      bounded: true,
      record: (partitions: number) => {
        const at = this.now()
        if (strict) {
          const tokens = s.bucket.measure(at)
          if (tokens < 0) {
            violation(tokens, at)
            throw new ThrottlingQuotaExceededError(lastThrottle)
          }
          s.bucket.record(partitions, at)
        } else {
          s.bucket.record(partitions, at)
          const tokens = s.bucket.measure(at)
          if (tokens < 0) violation(tokens, at)
        }
      },
      throttleTime: () => Math.max(0, lastThrottle - (this.now() - lastAt))
    }
  }
}

/** Node reports IPv4 peers of a dual-stack listener as IPv4-mapped IPv6; Kafka's ip entities name them plainly. */
export function normalizeIp (address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address
}

/**
 * connection_creation_rate (KIP-612) for ip entities: ConnectionQuotas.recordIpConnectionMaybeThrottle.
 * A connection over the rate is not counted and gets a throttle time (bounded by one quota window); Kafka
 * then closes that socket once the throttle time has passed, without reading from it.
 */
export class ConnectionQuotas {
  private readonly sensors = new Map<string, Sensor>()

  constructor (private readonly image: MetadataImage, private readonly window: QuotaWindow, private readonly now: () => number = Date.now) {}

  private limitFor (ip: string): number | null {
    const q = this.image.clientQuotas
    return q.get(clientQuotaKey([{ entityType: IP, entityName: ip }]))?.quotas.get('connection_creation_rate') ??
      q.get(clientQuotaKey([{ entityType: IP, entityName: null }]))?.quotas.get('connection_creation_rate') ?? null
  }

  /** Records a new connection from `ip`; returns 0 to accept it, else the ms after which to close it. */
  recordConnectionAndGetThrottleMs (address: string): number {
    if (this.image.clientQuotas.size === 0) return 0
    const ip = normalizeIp(address)
    const version = this.image.clientQuotasVersion
    let s = this.sensors.get(ip)
    if (s === undefined || s.version !== version) {
      const limit = this.limitFor(ip)
      if (limit === null) {
        this.sensors.delete(ip)
        return 0
      }
      if (s === undefined) s = { limit, rate: new SampledRate(this.window), version }
      else { s.limit = limit; s.version = version }
      this.sensors.set(ip, s)
    }
    const now = this.now()
    s.rate.record(1, now)
    const rate = s.rate.rate(now)
    if (rate <= s.limit) return 0
    // The throttled connection does not count towards the rate.
    s.rate.record(-1, now)
    return Math.min(this.window.windowMs, Math.round((rate - s.limit) / s.limit * s.rate.windowSize(now)))
  }
}

export interface ConnectionLimitConfig {
  /** max.connections */
  maxConnections: number
  /** max.connections.per.ip */
  maxConnectionsPerIp: number
  /** max.connections.per.ip.overrides, by ip as normalizeIp names it */
  perIpOverrides: ReadonlyMap<string, number>
  /** max.connection.creation.rate, per second */
  maxConnectionCreationRate: number
}

const UNLIMITED = 2147483647

export type ConnectionAdmission = { kind: 'accepted' } | { kind: 'throttled', ms: number } | { kind: 'tooMany', max: number }

/**
 * The broker-wide half of Kafka's ConnectionQuotas.inc for samsa's one listener (never the protected
 * inter-broker one): the acceptor first records the connection in the broker-wide creation rate and holds
 * off accepting for the throttle time, and until the connection count is below max.connections; then the
 * ip's connection_creation_rate may throttle it (taking back its broker-wide recording), and an ip at its
 * max.connections.per.ip has it closed at once.
 */
export class ConnectionLimits {
  private readonly counts = new Map<string, number>()
  private total = 0
  private readonly brokerRate: SampledRate | null

  constructor (private readonly ipQuotas: ConnectionQuotas, private readonly cfg: ConnectionLimitConfig, private readonly window: QuotaWindow, private readonly now: () => number = Date.now) {
    this.brokerRate = cfg.maxConnectionCreationRate === UNLIMITED ? null : new SampledRate(window)
  }

  /** Records a connection about to be accepted in the broker-wide rate; returns the ms to delay accepting it. */
  recordBrokerConnectionAndGetDelayMs (): number {
    if (this.brokerRate === null) return 0
    const now = this.now()
    this.brokerRate.record(1, now)
    const rate = this.brokerRate.rate(now)
    const limit = this.cfg.maxConnectionCreationRate
    if (rate <= limit) return 0
    if (limit === 0) return this.window.windowMs
    return Math.min(this.window.windowMs, Math.round((rate - limit) / limit * this.brokerRate.windowSize(now)))
  }

  /** Whether the broker may take another connection under max.connections. */
  slotAvailable (): boolean {
    return this.total < this.cfg.maxConnections
  }

  /** The ip checks once the acceptor may proceed; an accepted connection counts until `release`. */
  admit (address: string): ConnectionAdmission {
    const ip = normalizeIp(address)
    const throttleMs = this.ipQuotas.recordConnectionAndGetThrottleMs(ip)
    if (throttleMs > 0) {
      this.brokerRate?.record(-1, this.now())
      return { kind: 'throttled', ms: throttleMs }
    }
    const max = this.cfg.perIpOverrides.get(ip) ?? this.cfg.maxConnectionsPerIp
    const count = this.counts.get(ip) ?? 0
    if (count >= max) return { kind: 'tooMany', max }
    this.counts.set(ip, count + 1)
    this.total++
    return { kind: 'accepted' }
  }

  /** An accepted connection closed. */
  release (address: string): void {
    const ip = normalizeIp(address)
    const count = this.counts.get(ip) ?? 0
    if (count === 0) return
    if (count === 1) this.counts.delete(ip)
    else this.counts.set(ip, count - 1)
    this.total--
  }

  /** Open connections from `address`. */
  connectionsFrom (address: string): number {
    return this.counts.get(normalizeIp(address)) ?? 0
  }

  get totalConnections (): number { return this.total }
}

export class ClientQuotas {
  readonly produce: ClientQuotaManager
  readonly fetch: ClientQuotaManager
  readonly request: RequestQuotaManager
  readonly controllerMutation: ControllerMutationQuotaManager
  readonly connections: ConnectionQuotas

  constructor (image: MetadataImage, window: QuotaWindow, now: () => number = Date.now) {
    this.produce = new ClientQuotaManager(image, 'producer_byte_rate', window, now)
    this.fetch = new ClientQuotaManager(image, 'consumer_byte_rate', window, now)
    this.request = new RequestQuotaManager(image, window, now)
    this.controllerMutation = new ControllerMutationQuotaManager(image, window, now)
    this.connections = new ConnectionQuotas(image, window, now)
  }
}
