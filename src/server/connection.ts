// One client connection: 4-byte size framing, dispatch, and responses written strictly in request order
// even though handlers run concurrently (a long-poll Fetch must not let a later response overtake it).
import type { Socket } from 'node:net'
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { DecodeError } from '../wire/decode-error.js'
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion } from '../wire/headers.js'
import { encodeApiVersionsResponse } from '../wire/generated/api-versions.js'
import { ErrorCode } from '../wire/generated/errors.js'
import { NO_RESPONSE, CLOSE_CONNECTION, type HandlerRegistry } from './registry.js'
import type { ConnectionInfo, RequestContext } from './request-context.js'
import type { Broker } from '../broker/broker.js'
import type { Logger } from './logger.js'
import { ANONYMOUS_USER } from '../broker/quotas.js'

const API_VERSIONS_KEY = 18
/** Stop reading from a client while this many responses are queued or this many bytes are unsent. */
const MAX_QUEUED_RESPONSES = 256
const MAX_UNSENT_BYTES = 32 * 1024 * 1024

interface Slot {
  done: boolean
  chunks: Buffer[] | null
  close: boolean
}

export interface ConnectionOptions {
  broker: Broker
  registry: HandlerRegistry
  log: Logger
  maxRequestBytes: number
  id: number
}

export class Connection {
  readonly info: ConnectionInfo
  private readonly log: Logger
  private pending: Buffer[] = []
  private pendingBytes = 0
  private readonly slots: Slot[] = []
  private inflight = 0
  private paused = false
  private mutedUntil = 0
  private muteTimer: NodeJS.Timeout | undefined
  private readonly idle: (() => void)[] = []

  constructor (private readonly socket: Socket, private readonly opts: ConnectionOptions) {
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`
    this.info = { id: opts.id, remote, closed: false }
    this.log = opts.log.child({ conn: opts.id, remote })
    socket.setNoDelay(true)
    socket.on('data', chunk => this.onData(chunk))
    socket.on('drain', () => this.maybeResume())
    socket.on('error', err => this.log.debug({ err: err.message }, 'socket error'))
    socket.on('close', () => {
      this.info.closed = true
      clearTimeout(this.muteTimer)
      this.log.info('connection closed')
      this.notifyIdle()
    })
    this.log.info('connection opened')
  }

  /** Resolves when no request is being handled (for graceful shutdown). */
  whenIdle (): Promise<void> {
    if (this.inflight === 0) return Promise.resolve()
    return new Promise(resolve => this.idle.push(resolve))
  }

  close (): void {
    this.info.closed = true
    this.socket.end()
  }

  private notifyIdle (): void {
    if (this.inflight !== 0 && !this.info.closed) return
    for (const f of this.idle.splice(0)) f()
  }

  private onData (chunk: Buffer): void {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    while (this.pendingBytes >= 4 && !this.info.closed) {
      const head = this.peekHead()
      const size = head.readInt32BE(0)
      if (size < 0 || size > this.opts.maxRequestBytes) {
        this.log.warn({ size, max: this.opts.maxRequestBytes }, 'request size out of range (socket.request.max.bytes); closing connection')
        this.destroy()
        return
      }
      if (this.pendingBytes < 4 + size) break
      const frame = this.take(4 + size).subarray(4)
      this.dispatch(frame)
    }
    this.maybePause()
  }

  private peekHead (): Buffer {
    if (this.pending[0]!.length >= 4) return this.pending[0]!
    const merged = Buffer.concat(this.pending)
    this.pending = [merged]
    return merged
  }

  private take (n: number): Buffer {
    let first = this.pending[0]!
    if (first.length < n) {
      first = Buffer.concat(this.pending, this.pendingBytes)
      this.pending = [first]
    }
    const out = first.subarray(0, n)
    if (first.length === n) this.pending.shift()
    else this.pending[0] = first.subarray(n)
    this.pendingBytes -= n
    return out
  }

  private dispatch (frame: Buffer): void {
    const r = new Reader(frame)
    let header
    try {
      header = decodeRequestHeader(r)
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'malformed request header; closing connection')
      this.destroy()
      return
    }
    const { apiKey, apiVersion, correlationId, clientId } = header
    const handler = this.opts.registry.get(apiKey)
    const supported = handler !== undefined && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion
    if (!supported) {
      if (apiKey === API_VERSIONS_KEY) {
        // KIP-511: answer an unknown ApiVersions version at v0 so the client can retry with our range.
        this.log.info({ apiVersion, clientId }, 'unsupported ApiVersions version; answering v0 UNSUPPORTED_VERSION')
        const slot = this.enqueue()
        const range = this.opts.registry.advertised().find(a => a.apiKey === API_VERSIONS_KEY)
        const w = new Writer()
        encodeResponseHeader(w, 0, correlationId)
        encodeApiVersionsResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: range === undefined ? [] : [range] })
        this.complete(slot, w.toChunks(), false)
        return
      }
      this.log.warn({ apiKey, apiVersion, clientId }, `received request api key ${apiKey} with version ${apiVersion} which is not enabled; closing connection`)
      this.destroy()
      return
    }
    let body: unknown
    try {
      body = handler.spec.decodeRequest(r, apiVersion)
    } catch (err) {
      const why = err instanceof DecodeError ? err.message : String(err)
      this.log.warn({ api: handler.spec.name, apiVersion, clientId, err: why }, 'malformed request body; closing connection')
      this.destroy()
      return
    }
    const ctx: RequestContext = {
      broker: this.opts.broker,
      apiKey,
      apiVersion,
      correlationId,
      clientId,
      connection: this.info,
      log: this.log,
      requestSize: frame.length
    }
    if (this.log.isLevelEnabled('debug')) {
      this.log.debug({ api: handler.spec.name, apiVersion, correlationId, clientId }, 'request')
    }
    const slot = this.enqueue()
    this.inflight++
    // request_percentage (KIP-124): Kafka counts handler-thread time; on one event loop that is the
    // synchronous part of the handler (a parked long-poll costs nothing), throttled, plus encoding as
    // network-thread time, counted but not throttled.
    const requestQuota = this.opts.broker.quotas.request
    const timed = requestQuota.active()
    let started = timed ? process.hrtime.bigint() : 0n
    let handlerMs = 0
    const finish = (result: unknown): void => {
      this.inflight--
      if (timed) {
        const ms = requestQuota.recordAndGetThrottleTimeMs(ANONYMOUS_USER, clientId, handlerMs)
        if (ms > 0) {
          const prior = ctx.throttleMs
          ctx.throttleMs = { ms: Math.max(ms, prior?.ms ?? 0), clientEnforces: prior?.clientEnforces ?? true }
          if (typeof result === 'object' && result !== null && 'throttleTimeMs' in result) {
            const r = result as { throttleTimeMs: number }
            r.throttleTimeMs = Math.max(r.throttleTimeMs, ctx.throttleMs.ms)
          }
        }
        started = process.hrtime.bigint()
      }
      if (ctx.throttleMs !== undefined && ctx.throttleMs.clientEnforces) this.mute(ctx.throttleMs.ms)
      if (result === NO_RESPONSE) {
        this.complete(slot, null, false)
      } else if (result === CLOSE_CONNECTION) {
        this.complete(slot, null, true)
      } else {
        try {
          const w = new Writer()
          encodeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId)
          handler.spec.encodeResponse(w, apiVersion, result)
          if (timed) requestQuota.recordNoThrottle(ANONYMOUS_USER, clientId, Number(process.hrtime.bigint() - started) / 1e6)
          const throttle = ctx.throttleMs
          if (throttle !== undefined && !throttle.clientEnforces) {
            this.mute(throttle.ms)
            setTimeout(() => this.complete(slot, w.toChunks(), false), throttle.ms).unref()
            this.notifyIdle()
            return
          }
          this.complete(slot, w.toChunks(), false)
        } catch (err) {
          this.log.error({ api: handler.spec.name, apiVersion, err }, 'failed to encode response; closing connection')
          this.complete(slot, null, true)
        }
      }
      this.notifyIdle()
    }
    const fail = (err: unknown): void => {
      this.log.error({ api: handler.spec.name, apiVersion, correlationId, err }, 'request handler failed; closing connection')
      this.inflight--
      this.complete(slot, null, true)
      this.notifyIdle()
    }
    try {
      const out = handler.handle(ctx, body)
      if (timed) handlerMs = Number(process.hrtime.bigint() - started) / 1e6
      if (out instanceof Promise) out.then(finish, fail)
      else finish(out)
    } catch (err) {
      fail(err)
    }
  }

  private enqueue (): Slot {
    const slot: Slot = { done: false, chunks: null, close: false }
    this.slots.push(slot)
    return slot
  }

  private complete (slot: Slot, chunks: Buffer[] | null, close: boolean): void {
    slot.done = true
    slot.chunks = chunks
    slot.close = close
    this.flush()
  }

  private flush (): void {
    if (this.socket.destroyed) return
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!
      if (slot.close) {
        this.socket.end()
        this.info.closed = true
        this.slots.length = 0
        return
      }
      if (slot.chunks === null) continue
      let size = 0
      for (const c of slot.chunks) size += c.length
      const prefix = Buffer.allocUnsafe(4)
      prefix.writeInt32BE(size, 0)
      this.socket.cork()
      this.socket.write(prefix)
      for (const c of slot.chunks) this.socket.write(c)
      this.socket.uncork()
    }
    this.maybeResume()
  }

  /** Stops reading requests for `ms` (a quota throttle); back-pressure pausing is kept separate. */
  private mute (ms: number): void {
    const until = Date.now() + ms
    if (until <= this.mutedUntil) return
    this.mutedUntil = until
    this.socket.pause()
    clearTimeout(this.muteTimer)
    this.muteTimer = setTimeout(() => {
      this.mutedUntil = 0
      if (!this.paused && !this.info.closed) this.socket.resume()
    }, ms)
    this.muteTimer.unref()
  }

  private maybePause (): void {
    if (this.paused || this.info.closed) return
    if (this.slots.length >= MAX_QUEUED_RESPONSES || this.socket.writableLength >= MAX_UNSENT_BYTES) {
      this.paused = true
      this.socket.pause()
    }
  }

  private maybeResume (): void {
    if (!this.paused) return
    if (this.slots.length < MAX_QUEUED_RESPONSES / 2 && this.socket.writableLength < MAX_UNSENT_BYTES / 2) {
      this.paused = false
      if (this.mutedUntil === 0) this.socket.resume()
    }
  }

  private destroy (): void {
    this.info.closed = true
    this.socket.destroy()
  }
}
