// Request and response headers. The header version depends on the API and version named inside the
// header itself, so the request header is read in two steps: key and version, then the rest.
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'
import { apiDescriptor } from './generated/api-table.js'
import { skipTaggedFields } from './generated/codec-support.js'

const API_VERSIONS_KEY = 18

export interface RequestHeaderFields {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
  headerVersion: 1 | 2
}

/**
 * Header v2 for flexible versions, v1 otherwise. Versions above an API's range still count as flexible
 * when the API has an open-ended flexible range, as Kafka's generated ApiMessageType does: that is what
 * lets a broker read (and answer) an ApiVersions request newer than it knows. Unknown keys get v1.
 */
export function requestHeaderVersion (apiKey: number, apiVersion: number): 1 | 2 {
  const spec = apiDescriptor(apiKey)
  if (spec === undefined || spec.flexibleMinVersion < 0) return 1
  return apiVersion >= spec.flexibleMinVersion ? 2 : 1
}

/** ApiVersions responses always use header v0 so that a client of any version can read the error code. */
export function responseHeaderVersion (apiKey: number, apiVersion: number): 0 | 1 {
  if (apiKey === API_VERSIONS_KEY) return 0
  const spec = apiDescriptor(apiKey)
  if (spec === undefined || spec.flexibleMinVersion < 0) return 0
  return apiVersion >= spec.flexibleMinVersion ? 1 : 0
}

/**
 * Reads a request header. Unknown keys and out-of-range versions are still read as far as the v1 fields
 * so the caller can log the client and answer with the right correlation id. ClientId keeps its int16
 * length prefix even in header v2.
 */
export function decodeRequestHeader (r: Reader): RequestHeaderFields {
  const apiKey = r.int16()
  const apiVersion = r.int16()
  const correlationId = r.int32()
  const clientId = r.nullableString()
  const headerVersion = requestHeaderVersion(apiKey, apiVersion)
  if (headerVersion === 2) skipTaggedFields(r)
  return { apiKey, apiVersion, correlationId, clientId, headerVersion }
}

export function encodeRequestHeader (w: Writer, header: Omit<RequestHeaderFields, 'headerVersion'>): void {
  w.int16(header.apiKey).int16(header.apiVersion).int32(header.correlationId).nullableString(header.clientId)
  if (requestHeaderVersion(header.apiKey, header.apiVersion) === 2) w.uvarint(0)
}

export function encodeResponseHeader (w: Writer, headerVersion: number, correlationId: number): void {
  w.int32(correlationId)
  if (headerVersion >= 1) w.uvarint(0)
}
