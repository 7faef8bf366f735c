// How Kafka reports a member's host (InetAddress.toString of the connection's peer: "/127.0.0.1").
import type { RequestContext } from '../server/request-context.js'

export function clientHost (ctx: RequestContext): string {
  const remote = ctx.connection.remote
  const i = remote.lastIndexOf(':')
  return `/${i < 0 ? remote : remote.slice(0, i)}`
}
