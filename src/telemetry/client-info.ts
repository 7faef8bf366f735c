// The client attributes KIP-714 subscriptions match on, as Kafka's RequestContext gives them to
// ClientMetricsInstanceMetadata: client id, the software name/version from ApiVersions v3+ ("unknown" until
// then, Kafka's ClientInformation.EMPTY), and the peer's address (InetAddress.getHostAddress form) and port.
import type { RequestContext } from '../server/request-context.js'
import type { ClientInfo } from './client-metrics-manager.js'

const UNKNOWN = 'unknown'

export function clientInfo (ctx: RequestContext): ClientInfo {
  const c = ctx.connection
  const { address, port } = splitRemote(c.remote)
  return {
    connection: c,
    clientId: ctx.clientId,
    softwareName: c.clientSoftwareName ?? UNKNOWN,
    softwareVersion: c.clientSoftwareVersion ?? UNKNOWN,
    sourceAddress: address === null ? null : javaHostAddress(address),
    sourcePort: port
  }
}

/** "host:port" as the connection records it; IPv6 hosts contain colons, so the port is after the last one. */
export function splitRemote (remote: string): { address: string | null, port: string | null } {
  const i = remote.lastIndexOf(':')
  if (i <= 0) return { address: null, port: null }
  const address = remote.slice(0, i)
  const port = remote.slice(i + 1)
  return { address: address === '?' ? null : address, port: /^\d+$/.test(port) ? port : null }
}

/**
 * Java prints an IPv4-mapped IPv6 peer as the IPv4 address and other IPv6 addresses as eight uncompressed
 * hex groups without leading zeros ("0:0:0:0:0:0:0:1" for "::1"), which is what match patterns see there.
 */
export function javaHostAddress (address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return mapped[1]!
  if (!address.includes(':')) return address
  const pct = address.indexOf('%')
  const scope = pct >= 0 ? address.slice(pct) : ''
  let body = pct >= 0 ? address.slice(0, pct) : address
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(body)
  if (v4 !== null) {
    const n = v4.slice(1).map(Number)
    body = body.slice(0, v4.index) + `${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`
  }
  const [head, tail] = body.includes('::') ? body.split('::') as [string, string] : [body, undefined]
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? h : [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t]
  return groups.map(g => parseInt(g, 16).toString(16)).join(':') + scope
}
