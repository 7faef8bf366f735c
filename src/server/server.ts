// The TCP listener. Shutdown stops accepting, lets in-flight requests finish (bounded by a timeout), then
// closes connections; the broker closes its logs after that.
import { createServer, type Server, type Socket } from 'node:net'
import { Connection } from './connection.js'
import type { HandlerRegistry } from './registry.js'
import type { Broker } from '../broker/broker.js'
import type { Logger } from './logger.js'
import { ConnectionLimits } from '../broker/quotas.js'
import { parsePerIpOverrides } from '../config/broker-config.js'

export interface ListenOptions {
  host: string
  port: number
  maxRequestBytes: number
}

export class KafkaServer {
  private server: Server | null = null
  private readonly connections = new Set<Connection>()
  private nextId = 1
  private readonly limits: ConnectionLimits
  /** Sockets the acceptor has not taken yet, oldest first: Kafka's acceptor blocks on the head one. */
  private readonly pending: Socket[] = []
  /** When the head socket may be accepted (its broker-wide rate delay), or null before it is recorded. */
  private headReadyAt: number | null = null
  private headTimer: NodeJS.Timeout | undefined

  constructor (private readonly broker: Broker, private readonly registry: HandlerRegistry, private readonly log: Logger) {
    const c = broker.config
    this.limits = new ConnectionLimits(broker.quotas.connections, {
      maxConnections: c.int('max.connections'),
      maxConnectionsPerIp: c.int('max.connections.per.ip'),
      perIpOverrides: parsePerIpOverrides(c.str('max.connections.per.ip.overrides') ?? ''),
      maxConnectionCreationRate: c.int('max.connection.creation.rate')
    }, { samples: c.int('quota.window.num'), windowMs: c.int('quota.window.size.seconds') * 1000 })
  }

  listen (opts: ListenOptions): Promise<{ host: string, port: number }> {
    return new Promise((resolve, reject) => {
      const server = createServer(socket => this.accept(socket, opts))
      server.once('error', reject)
      server.listen({ host: opts.host === '' ? undefined : opts.host, port: opts.port }, () => {
        server.off('error', reject)
        server.on('error', err => this.log.error({ err }, 'listener error'))
        this.server = server
        const addr = server.address()
        if (addr === null || typeof addr === 'string') return reject(new Error('listener has no address'))
        resolve({ host: addr.address, port: addr.port })
      })
    })
  }

  private accept (socket: Socket, opts: ListenOptions): void {
    socket.pause()
    socket.on('error', () => {})
    this.pending.push(socket)
    this.drain(opts)
  }

  /** Takes pending sockets in order while the broker-wide creation rate and max.connections allow. */
  private drain (opts: ListenOptions): void {
    if (this.headTimer !== undefined || this.server === null) return
    while (this.pending.length > 0) {
      if (this.headReadyAt === null) this.headReadyAt = Date.now() + this.limits.recordBrokerConnectionAndGetDelayMs()
      const wait = this.headReadyAt - Date.now()
      if (wait > 0) {
        this.headTimer = setTimeout(() => { this.headTimer = undefined; this.drain(opts) }, wait)
        this.headTimer.unref()
        return
      }
      // A closing connection calls drain again.
      if (!this.limits.slotAvailable()) return
      this.headReadyAt = null
      this.admit(this.pending.shift()!, opts)
    }
  }

  private admit (socket: Socket, opts: ListenOptions): void {
    if (socket.destroyed) return
    const address = socket.remoteAddress ?? ''
    const admission = this.limits.admit(address)
    if (admission.kind === 'throttled') {
      // KIP-612: a connection over its ip's connection_creation_rate is never read and is closed once its
      // throttle time has passed (Kafka's Acceptor DelayedCloseSocket).
      this.log.info({ remote: address, throttleMs: admission.ms }, 'connection creation rate exceeded; closing the connection after the throttle time')
      setTimeout(() => socket.destroy(), admission.ms).unref()
      return
    }
    if (admission.kind === 'tooMany') {
      this.log.info({ remote: address, max: admission.max }, 'rejected connection: too many connections from this address')
      socket.destroy()
      return
    }
    socket.resume()
    const conn = new Connection(socket, {
      broker: this.broker,
      registry: this.registry,
      log: this.log,
      maxRequestBytes: opts.maxRequestBytes,
      id: this.nextId++
    })
    this.connections.add(conn)
    socket.on('close', () => {
      this.connections.delete(conn)
      this.limits.release(address)
      this.drain(opts)
    })
  }

  async close (timeoutMs: number): Promise<void> {
    const server = this.server
    this.server = null
    if (server !== null) server.close()
    clearTimeout(this.headTimer)
    this.headTimer = undefined
    for (const s of this.pending.splice(0)) s.destroy()
    const idle = Promise.all([...this.connections].map(c => c.whenIdle()))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })
    await Promise.race([idle, timeout])
    clearTimeout(timer)
    for (const c of this.connections) c.close()
  }
}
