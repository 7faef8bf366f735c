// Client-side failures, each a distinct class so the CLI can map them to exit codes and messages.
import { errorInfo } from '../wire/generated/errors.js'

/** A Kafka error code answered by a broker, carrying the name from Kafka's error table. */
export class KafkaError extends Error {
  override name = 'KafkaError'
  readonly errorName: string
  readonly retriable: boolean
  constructor (readonly code: number, readonly context: string, brokerMessage?: string | null) {
    const info = errorInfo(code)
    const errorName = info?.name ?? `UNKNOWN_ERROR_CODE_${code}`
    const detail = brokerMessage !== undefined && brokerMessage !== null && brokerMessage !== '' ? brokerMessage : (info?.message ?? 'unknown error code')
    super(`${context}: ${errorName}: ${detail}`)
    this.errorName = errorName
    this.retriable = info?.retriable ?? false
  }
}

/** The broker advertises none of the versions this client can speak for an API it needs. */
export class UnsupportedApiError extends Error {
  override name = 'UnsupportedApiError'
  constructor (readonly apiNames: string[], readonly broker: string, what?: string) {
    super(`broker ${broker} does not support ${apiNames.join(' or ')}${what === undefined ? '' : ` (needed to ${what})`}`)
  }
}

/** Connecting, a dropped connection, an undecodable response. */
export class ConnectionError extends Error {
  override name = 'ConnectionError'
}

export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError'
}

/** Throws a KafkaError when `code` is not NONE. */
export function check (code: number, context: string, message?: string | null): void {
  if (code !== 0) throw new KafkaError(code, context, message)
}
