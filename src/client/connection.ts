// One TCP connection to one broker: size-prefixed frames, correlation ids to match responses (several
// requests may be in flight), a per-request timeout, and the ApiVersions handshake that fixes which
// version of each API this connection speaks.
import { connect, type Socket } from 'node:net'
import { Reader } from '../wire/reader.js'
import { Writer } from '../wire/writer.js'
import { encodeRequestHeader, responseHeaderVersion } from '../wire/headers.js'
import { apiSpec } from '../wire/generated/index.js'
import { skipTaggedFields } from '../wire/generated/codec-support.js'
import type { ApiVersionsResponse } from '../wire/generated/api-versions.js'
import { ConnectionError, KafkaError, RequestTimeoutError, UnsupportedApiError } from './errors.js'
import { apiName, clientRanges, negotiate, type VersionRange } from './versions.js'

const API_VERSIONS = 18
const UNSUPPORTED_VERSION = 35

export interface ConnectionOptions {
  clientId?: string
  connectTimeoutMs?: number
  requestTimeoutMs?: number
  softwareVersion?: string
}

interface Pending {
  apiKey: number
  version: number
  resolve: (v: any) => void
  reject: (e: Error) => void
  timer: NodeJS.Timeout
}

export class Connection {
  /** The broker's advertised ranges, as it sent them. */
  brokerApis: Array<{ apiKey: number, minVersion: number, maxVersion: number }> = []
  /** Negotiated version per API key. */
  versions = new Map<number, number>()
  private nextCorrelationId = 1
  private readonly pending = new Map<number, Pending>()
  private buffered: Buffer = Buffer.alloc(0)
  private closedError: Error | null = null
  private readonly closeListeners: Array<() => void> = []
  private readonly clientId: string
  private readonly requestTimeoutMs: number

  private constructor (private readonly socket: Socket, readonly address: string, opts: ConnectionOptions) {
    this.clientId = opts.clientId ?? 'samsa-cli'
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30000
    socket.setNoDelay(true)
    socket.on('data', chunk => this.onData(chunk))
    socket.on('error', err => this.fail(new ConnectionError(`connection to ${address} failed: ${err.message}`)))
    socket.on('close', () => this.fail(new ConnectionError(`connection to ${address} closed before the response arrived`)))
  }

  /** Connects and negotiates API versions. */
  static async open (host: string, port: number, opts: ConnectionOptions = {}): Promise<Connection> {
    const address = `${host.includes(':') ? `[${host}]` : host}:${port}`
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new ConnectionError(`cannot connect to ${address}: timed out after ${opts.connectTimeoutMs ?? 10000} ms`))
      }, opts.connectTimeoutMs ?? 10000)
      s.once('error', err => {
        clearTimeout(timer)
        reject(new ConnectionError(`cannot connect to ${address}: ${(err as NodeJS.ErrnoException).code ?? err.message}`))
      })
      s.once('connect', () => {
        clearTimeout(timer)
        s.removeAllListeners('error')
        resolve(s)
      })
    })
    const c = new Connection(socket, address, opts)
    try {
      await c.handshake(opts.softwareVersion ?? '0.1.0', clientRanges())
    } catch (err) {
      c.close()
      throw err
    }
    return c
  }

  /**
   * Asks at our highest ApiVersions version; a broker that does not know it answers UNSUPPORTED_VERSION
   * in v0 with its own ApiVersions range, and the request is repeated at the highest common version.
   */
  async handshake (softwareVersion: string, client: Map<number, VersionRange>): Promise<void> {
    let version = client.get(API_VERSIONS)?.maxVersion ?? 0
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await this.requestAt<ApiVersionsResponse>(API_VERSIONS, version, { clientSoftwareName: 'samsa-cli', clientSoftwareVersion: softwareVersion })
      if (res.errorCode === UNSUPPORTED_VERSION && attempt === 0) {
        const theirs = res.apiKeys.find(k => k.apiKey === API_VERSIONS)
        version = Math.min(version, theirs?.maxVersion ?? 0)
        continue
      }
      if (res.errorCode !== 0) throw new KafkaError(res.errorCode, `ApiVersions from ${this.address}`)
      this.brokerApis = res.apiKeys.map(k => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }))
      this.versions = negotiate(client, this.brokerApis)
      return
    }
  }

  supports (apiKey: number): boolean {
    return this.versions.has(apiKey)
  }

  version (apiKey: number, what?: string): number {
    const v = this.versions.get(apiKey)
    if (v === undefined) throw new UnsupportedApiError([apiName(apiKey)], this.address, what)
    return v
  }

  /** Sends at the negotiated version; resolves with the decoded response body. */
  request<T = any> (apiKey: number, body: object, opts: { timeoutMs?: number } = {}): Promise<T> {
    return this.requestAt<T>(apiKey, this.version(apiKey), body, opts)
  }

  /** Sends a request the broker will not answer (Produce with acks=0). */
  send (apiKey: number, body: object): void {
    const v = this.version(apiKey)
    if (this.closedError !== null) throw this.closedError
    this.socket.write(this.encode(apiKey, v, this.nextCorrelationId++, body))
  }

  requestAt<T = any> (apiKey: number, version: number, body: object, opts: { timeoutMs?: number } = {}): Promise<T> {
    if (this.closedError !== null) return Promise.reject(this.closedError)
    const correlationId = this.nextCorrelationId++
    let frame: Buffer
    try {
      frame = this.encode(apiKey, version, correlationId, body)
    } catch (err) {
      return Promise.reject(err)
    }
    const timeoutMs = opts.timeoutMs ?? this.requestTimeoutMs
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId)
        reject(new RequestTimeoutError(`${apiName(apiKey)} v${version} to ${this.address} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(correlationId, { apiKey, version, resolve, reject, timer })
      this.socket.write(frame)
    })
  }

  close (): void {
    this.fail(new ConnectionError(`connection to ${this.address} was closed`))
    this.socket.destroy()
  }

  private encode (apiKey: number, version: number, correlationId: number, body: object): Buffer {
    const spec = apiSpec(apiKey)
    if (spec === undefined) throw new UnsupportedApiError([`api key ${apiKey}`], this.address)
    const w = new Writer()
    w.int32(0)
    encodeRequestHeader(w, { apiKey, apiVersion: version, correlationId, clientId: this.clientId })
    spec.encodeRequest(w, version, body)
    const buf = w.toBuffer()
    buf.writeInt32BE(buf.length - 4, 0)
    return buf
  }

  /** Runs `fn` once the connection is unusable (closed by either side or failed). */
  onClose (fn: () => void): void {
    if (this.closedError !== null) fn()
    else this.closeListeners.push(fn)
  }

  private fail (err: Error): void {
    if (this.closedError === null) {
      this.closedError = err
      for (const fn of this.closeListeners.splice(0)) fn()
    }
    for (const p of this.pending.values()) {
      clearTimeout(p.timer)
      p.reject(err)
    }
    this.pending.clear()
  }

  private onData (chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0)
      if (size < 4) {
        this.fail(new ConnectionError(`${this.address} sent a frame of ${size} bytes`))
        this.socket.destroy()
        return
      }
      if (this.buffered.length < 4 + size) break
      const payload = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      this.onFrame(payload)
    }
  }

  private onFrame (payload: Buffer): void {
    const correlationId = payload.readInt32BE(0)
    const p = this.pending.get(correlationId)
    // A late answer to a request that already timed out.
    if (p === undefined) return
    this.pending.delete(correlationId)
    clearTimeout(p.timer)
    try {
      const r = new Reader(payload, 4)
      if (responseHeaderVersion(p.apiKey, p.version) >= 1) skipTaggedFields(r)
      // An ApiVersions answer with UNSUPPORTED_VERSION is always in v0, whatever was asked.
      const v = p.apiKey === API_VERSIONS && r.remaining >= 2 && payload.readInt16BE(4) === UNSUPPORTED_VERSION ? 0 : p.version
      p.resolve(apiSpec(p.apiKey)!.decodeResponse(r, v))
    } catch (err) {
      p.reject(new ConnectionError(`cannot decode ${apiName(p.apiKey)} v${p.version} response from ${this.address}: ${(err as Error).message}`))
    }
  }
}
