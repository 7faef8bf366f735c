// The TCP listener. Shutdown stops accepting, lets in-flight requests finish (bounded by a timeout), then
// closes connections; the broker closes its logs after that.
import { createServer, type Server, type Socket } from 'node:net'
import { Connection } from './connection.js'
import type { HandlerRegistry } from './registry.js'
import type { Broker } from '../broker/broker.js'
import type { Logger } from './logger.js'

export interface ListenOptions {
  host: string
  port: number
  maxRequestBytes: number
}

export class KafkaServer {
  private server: Server | null = null
  private readonly connections = new Set<Connection>()
  private nextId = 1

  constructor (private readonly broker: Broker, private readonly registry: HandlerRegistry, private readonly log: Logger) {}

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
    // KIP-612: a connection over its ip's connection_creation_rate is never read and is closed once its
    // throttle time has passed (Kafka's Acceptor DelayedCloseSocket).
    const throttleMs = this.broker.quotas.connections.recordConnectionAndGetThrottleMs(socket.remoteAddress ?? '')
    if (throttleMs > 0) {
      this.log.info({ remote: socket.remoteAddress, throttleMs }, 'connection creation rate exceeded; closing the connection after the throttle time')
      socket.pause()
      socket.on('error', () => {})
      setTimeout(() => socket.destroy(), throttleMs).unref()
      return
    }
    const conn = new Connection(socket, {
      broker: this.broker,
      registry: this.registry,
      log: this.log,
      maxRequestBytes: opts.maxRequestBytes,
      id: this.nextId++
    })
    this.connections.add(conn)
    socket.on('close', () => this.connections.delete(conn))
  }

  async close (timeoutMs: number): Promise<void> {
    const server = this.server
    this.server = null
    if (server !== null) server.close()
    const idle = Promise.all([...this.connections].map(c => c.whenIdle()))
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>(resolve => { timer = setTimeout(resolve, timeoutMs) })
    await Promise.race([idle, timeout])
    clearTimeout(timer)
    for (const c of this.connections) c.close()
  }
}
