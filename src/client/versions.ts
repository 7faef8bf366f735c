// Version negotiation: for each API, the highest version both this client's codecs and the broker's
// advertised range cover. Unstable latest versions are never chosen, as Kafka clients do not send them.
import { API_TABLE } from '../wire/generated/api-table.js'

export interface VersionRange { minVersion: number, maxVersion: number }

/** What this client can encode and decode, per API key. */
export function clientRanges (): Map<number, VersionRange> {
  const m = new Map<number, VersionRange>()
  for (const d of API_TABLE) {
    const max = d.latestVersionUnstable ? d.maxVersion - 1 : d.maxVersion
    if (max >= d.minVersion) m.set(d.apiKey, { minVersion: d.minVersion, maxVersion: max })
  }
  return m
}

/** Highest common version per API key; APIs with no overlap are left out. */
export function negotiate (client: Map<number, VersionRange>, broker: Iterable<{ apiKey: number, minVersion: number, maxVersion: number }>): Map<number, number> {
  const out = new Map<number, number>()
  for (const b of broker) {
    const c = client.get(b.apiKey)
    if (c === undefined) continue
    const v = Math.min(c.maxVersion, b.maxVersion)
    if (v >= Math.max(c.minVersion, b.minVersion)) out.set(b.apiKey, v)
  }
  return out
}

export function apiName (apiKey: number): string {
  return API_TABLE.find(d => d.apiKey === apiKey)?.name ?? `api key ${apiKey}`
}
