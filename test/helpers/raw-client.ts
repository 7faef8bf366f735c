// A minimal Kafka client over node:net for broker tests: requests are encoded with the generated codecs,
// several may be in flight on one connection (pipelining), responses are matched by correlation id and
// the arrival order is recorded, raw bytes can be sent as they are, and a closed connection is observable.
import { connect, type Socket } from 'node:net'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { encodeRequestHeader, responseHeaderVersion } from '../../src/wire/headers.js'
import { apiSpec } from '../../src/wire/generated/index.js'
import { skipTaggedFields } from '../../src/wire/generated/codec-support.js'

export class ConnectionClosedError extends Error {
  override name = 'ConnectionClosedError'
}

interface Pending {
  apiKey: number
  apiVersion: number
  resolve: (v: any) => void
  reject: (e: Error) => void
}

/** Header plus body of one request, without the size prefix. */
export function encodeRequest (apiKey: number, apiVersion: number, correlationId: number, body: object, clientId: string | null = 'samsa-test'): Buffer {
  const spec = apiSpec(apiKey)
  if (spec === undefined) throw new Error(`no codec for api key ${apiKey}`)
  const w = new Writer()
  encodeRequestHeader(w, { apiKey, apiVersion, correlationId, clientId })
  spec.encodeRequest(w, apiVersion, body)
  return w.toBuffer()
}

/** Prefixes a payload with its int32 size, as every Kafka frame is sent. */
export function frame (payload: Buffer): Buffer {
  const size = Buffer.alloc(4)
  size.writeInt32BE(payload.length, 0)
  return Buffer.concat([size, payload])
}

export class RawClient {
  /** Correlation ids of responses in the order they arrived. */
  readonly arrivals: number[] = []
  /** Frames whose correlation id matched no pending request (raw sends), as payloads after the size. */
  readonly unmatched: Buffer[] = []
  readonly closed: Promise<void>
  isClosed = false
  private nextCorrelationId = 1
  private readonly pending = new Map<number, Pending>()
  private buffered: Buffer = Buffer.alloc(0)

  private constructor (readonly socket: Socket) {
    socket.setNoDelay(true)
    socket.on('data', chunk => this.onData(chunk))
    socket.on('error', () => {})
    this.closed = new Promise(resolve => socket.once('close', () => {
      this.isClosed = true
      for (const p of this.pending.values()) p.reject(new ConnectionClosedError('connection closed before the response'))
      this.pending.clear()
      resolve()
    }))
  }

  static connect (port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host })
      s.once('error', reject)
      s.once('connect', () => {
        s.off('error', reject)
        resolve(new RawClient(s))
      })
    })
  }

  /** Sends a request without waiting; returns its correlation id. Await `response(id)` for the answer. */
  send (apiKey: number, apiVersion: number, body: object, opts: { correlationId?: number, clientId?: string | null } = {}): number {
    const correlationId = opts.correlationId ?? this.nextCorrelationId++
    this.socket.write(frame(encodeRequest(apiKey, apiVersion, correlationId, body, opts.clientId === undefined ? 'samsa-test' : opts.clientId)))
    return correlationId
  }

  /**
   * Registers interest in a response. Must be called synchronously after `send` (before any await) so an
   * early answer is not taken for unmatched; `request` does both.
   */
  response<T = any> (correlationId: number, apiKey: number, apiVersion: number): Promise<T> {
    if (this.isClosed) return Promise.reject(new ConnectionClosedError('connection already closed'))
    return new Promise((resolve, reject) => this.pending.set(correlationId, { apiKey, apiVersion, resolve, reject }))
  }

  request<T = any> (apiKey: number, apiVersion: number, body: object): Promise<T> {
    const id = this.send(apiKey, apiVersion, body)
    return this.response<T>(id, apiKey, apiVersion)
  }

  /** Sends a request for which no response is expected (acks=0 produce); returns its correlation id. */
  fireAndForget (apiKey: number, apiVersion: number, body: object): number {
    return this.send(apiKey, apiVersion, body)
  }

  /** Expects the response for a request written with `writeRaw`, decoded as `apiKey` v`apiVersion`. */
  expect<T = any> (correlationId: number, apiKey: number, apiVersion: number): Promise<T> {
    return this.response<T>(correlationId, apiKey, apiVersion)
  }

  writeRaw (bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Resolves true when the broker closes the connection within `ms`, false otherwise. */
  async closesWithin (ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<boolean>(resolve => { timer = setTimeout(() => resolve(false), ms) })
    const r = await Promise.race([this.closed.then(() => true), timeout])
    clearTimeout(timer)
    return r
  }

  close (): Promise<void> {
    this.socket.destroy()
    return this.closed
  }

  private onData (chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0)
      if (this.buffered.length < 4 + size) break
      const payload = this.buffered.subarray(4, 4 + size)
      this.buffered = this.buffered.subarray(4 + size)
      this.onFrame(payload)
    }
  }

  private onFrame (payload: Buffer): void {
    const correlationId = payload.readInt32BE(0)
    this.arrivals.push(correlationId)
    const p = this.pending.get(correlationId)
    if (p === undefined) {
      this.unmatched.push(payload)
      return
    }
    this.pending.delete(correlationId)
    try {
      const r = new Reader(payload, 4)
      if (responseHeaderVersion(p.apiKey, p.apiVersion) >= 1) skipTaggedFields(r)
      const body = apiSpec(p.apiKey)!.decodeResponse(r, p.apiVersion)
      if (r.remaining !== 0) throw new Error(`${r.remaining} trailing bytes after response ${p.apiKey} v${p.apiVersion}`)
      p.resolve(body)
    } catch (err) {
      p.reject(err as Error)
    }
  }
}
