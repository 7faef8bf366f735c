// The one list of what this broker serves. ApiVersions is derived from it, so nothing is advertised that
// has no handler, and dispatch refuses anything outside a handler's version range.
import type { ApiSpec } from '../wire/generated/api-spec.js'
import type { RequestContext } from './request-context.js'

/** Returned by a handler when the protocol sends no response (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no-response')
/** Returned by a handler when Kafka closes the connection instead of answering (acks=0 produce errors). */
export const CLOSE_CONNECTION = Symbol('close-connection')

export type HandlerResult = object | typeof NO_RESPONSE | typeof CLOSE_CONNECTION

export interface Handler {
  apiKey: number
  /** The API's generated codecs; naming them here means a broker loads only the codecs it serves. */
  spec: ApiSpec
  minVersion: number
  maxVersion: number
  /** Lowest version put in ApiVersions when it differs from what is served (Produce: Kafka advertises 0). */
  advertisedMinVersion?: number
  handle: (ctx: RequestContext, request: any) => HandlerResult | Promise<HandlerResult>
}

export type RegisteredHandler = Handler

export class HandlerRegistry {
  private readonly byKey = new Map<number, RegisteredHandler>()

  register (h: Handler): void {
    const spec = h.spec
    if (spec.apiKey !== h.apiKey) throw new Error(`handler for api key ${h.apiKey} names the codecs of ${spec.name}`)
    if (h.minVersion < spec.minVersion || h.maxVersion > spec.maxVersion) {
      throw new Error(`${spec.name}: handler versions ${h.minVersion}-${h.maxVersion} outside the spec's ${spec.minVersion}-${spec.maxVersion}`)
    }
    if (this.byKey.has(h.apiKey)) throw new Error(`${spec.name} registered twice`)
    this.byKey.set(h.apiKey, h)
  }

  /**
   * Keeps only the given versions of each API (Kafka version emulation): a handler's served and advertised
   * ranges become their intersection with `ranges`; a handler with no key there, or no overlap, is removed.
   */
  restrict (ranges: ReadonlyMap<number, { minVersion: number, maxVersion: number }>): void {
    for (const [key, h] of [...this.byKey]) {
      const r = ranges.get(key)
      const minVersion = Math.max(h.minVersion, r?.minVersion ?? 0)
      const maxVersion = Math.min(h.maxVersion, r?.maxVersion ?? -1)
      if (r === undefined || minVersion > maxVersion) {
        this.byKey.delete(key)
        continue
      }
      const advertisedMinVersion = h.advertisedMinVersion === undefined ? undefined : Math.max(h.advertisedMinVersion, r.minVersion)
      this.byKey.set(key, { ...h, minVersion, maxVersion, advertisedMinVersion })
    }
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
