// The one list of what this broker serves. ApiVersions is derived from it, so nothing is advertised that
// has no handler, and dispatch refuses anything outside a handler's version range.
import { apiSpec, type ApiSpec } from '../wire/generated/index.js'
import type { RequestContext } from './request-context.js'

/** Returned by a handler when the protocol sends no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no-response')
/** Returned by a handler when Kafka closes the connection instead of answering (acks=0 produce errors). */
export const CLOSE_CONNECTION = Symbol('close-connection')

export type HandlerResult = object | typeof NO_RESPONSE | typeof CLOSE_CONNECTION

export interface Handler {
  apiKey: number
  minVersion: number
  maxVersion: number
  /** Lowest version put in ApiVersions when it differs from what is served (Produce: Kafka advertises 0). */
  advertisedMinVersion?: number
  handle: (ctx: RequestContext, request: any) => HandlerResult | Promise<HandlerResult>
}

export interface RegisteredHandler extends Handler {
  spec: ApiSpec
}

export class HandlerRegistry {
  private readonly byKey = new Map<number, RegisteredHandler>()

  register (h: Handler): void {
    const spec = apiSpec(h.apiKey)
    if (spec === undefined) throw new Error(`no generated codec for api key ${h.apiKey}`)
    if (h.minVersion < spec.minVersion || h.maxVersion > spec.maxVersion) {
      throw new Error(`${spec.name}: handler versions ${h.minVersion}-${h.maxVersion} outside the spec's ${spec.minVersion}-${spec.maxVersion}`)
    }
    if (this.byKey.has(h.apiKey)) throw new Error(`${spec.name} registered twice`)
    this.byKey.set(h.apiKey, { ...h, spec })
  }

  get (apiKey: number): RegisteredHandler | undefined {
    return this.byKey.get(apiKey)
  }

  /** Entries for ApiVersions, sorted by key. */
  advertised (): { apiKey: number, minVersion: number, maxVersion: number }[] {
    return [...this.byKey.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map(h => ({ apiKey: h.apiKey, minVersion: h.advertisedMinVersion ?? h.minVersion, maxVersion: h.maxVersion }))
  }
}
