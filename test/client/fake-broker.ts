// A scriptable Kafka-protocol server for client tests: decodes each request with the generated codecs
// and answers whatever the test's handler returns (null: no answer), encoded at the version it says.
import { createServer, type Server, type Socket } from 'node:net'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { decodeRequestHeader, encodeResponseHeader, responseHeaderVersion } from '../../src/wire/headers.js'
import { apiSpec } from '../../src/wire/generated/index.js'

export interface Seen { apiKey: number, version: number, body: any }
export type Handler = (req: Seen) => { body: object, version?: number } | null

export interface FakeBroker { port: number, seen: Seen[], close: () => Promise<void> }

export async function fakeBroker (t: { teardown: (fn: () => unknown) => void }, handler: Handler): Promise<FakeBroker> {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer(socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    socket.on('data', chunk => {
      buf = Buffer.concat([buf, chunk])
      while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0))
        buf = buf.subarray(4 + frame.length)
        const r = new Reader(frame)
        const h = decodeRequestHeader(r)
        const req = { apiKey: h.apiKey, version: h.apiVersion, body: apiSpec(h.apiKey)!.decodeRequest(r, h.apiVersion) }
        seen.push(req)
        const res = handler(req)
        if (res === null) continue
        const v = res.version ?? h.apiVersion
        const w = new Writer()
        w.int32(0)
        encodeResponseHeader(w, responseHeaderVersion(h.apiKey, v), h.correlationId)
        apiSpec(h.apiKey)!.encodeResponse(w, v, res.body)
        const out = w.toBuffer()
        out.writeInt32BE(out.length - 4, 0)
        socket.write(out)
      }
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy()
    await new Promise<void>(resolve => server.close(() => resolve()))
  }
  t.teardown(close)
  return { port, seen, close }
}

export function apiVersionsBody (ranges: Array<[number, number, number]>): object {
  return { errorCode: 0, apiKeys: ranges.map(([apiKey, minVersion, maxVersion]) => ({ apiKey, minVersion, maxVersion })) }
}
