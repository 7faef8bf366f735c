import type { Logger } from './logger.js'
import type { Broker } from '../broker/broker.js'

export interface ConnectionInfo {
  id: number
  remote: string
  /** Set when the connection is going away, so long-polls stop waiting. */
  closed: boolean
  /** From the last valid ApiVersions v3+ request (Kafka's ClientInformation); KIP-714 subscriptions match on them. */
  clientSoftwareName?: string
  clientSoftwareVersion?: string
}

export interface RequestContext {
  broker: Broker
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  connection: ConnectionInfo
  log: Logger
  /** Size of the request frame in bytes (after the length prefix), what Kafka's produce quota counts. */
  requestSize: number
  /**
   * Quota throttling (KIP-219): when the client enforces throttle_time_ms itself (Produce v6+, Fetch v8+)
   * the response goes out at once and the connection is not read for `ms`; older clients get their
   * response held back for `ms` instead. Set by handlers, applied by the connection.
   */
  throttleMs?: { ms: number, clientEnforces: boolean }
}
