import type { Logger } from './logger.js'
import type { Broker } from '../broker/broker.js'

export interface ConnectionInfo {
  id: number
  remote: string
  /** Set when the connection is going away, so long-polls stop waiting. */
  closed: boolean
}

export interface RequestContext {
  broker: Broker
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  connection: ConnectionInfo
  log: Logger
}
