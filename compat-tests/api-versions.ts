// A hand-written ApiVersions v0 exchange over raw TCP, independent of samsa's own codecs: used to
// see what a broker advertises, and by bench/startup.ts to time the first answer.
import { connect } from 'node:net'

export interface ApiRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface ApiVersionsAnswer {
  errorCode: number
  apis: ApiRange[]
}

/** Request header v1 (ApiVersions v0 uses it): key 18, version 0, correlation id, client id. */
export function apiVersionsV0Request(correlationId: number, clientId = 'samsa-probe'): Buffer {
  const id = Buffer.from(clientId, 'utf8')
  const body = Buffer.alloc(2 + 2 + 4 + 2 + id.length)
  body.writeInt16BE(18, 0)
  body.writeInt16BE(0, 2)
  body.writeInt32BE(correlationId, 4)
  body.writeInt16BE(id.length, 8)
  id.copy(body, 10)
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.length, 0)
  return Buffer.concat([size, body])
}

/** Parse a v0 response body (after the size prefix): correlation id, error code, [key min max]. */
export function parseApiVersionsV0(body: Buffer, correlationId: number): ApiVersionsAnswer {
  if (body.length < 10) throw new Error(`ApiVersions response too short (${body.length} bytes)`)
  const corr = body.readInt32BE(0)
  if (corr !== correlationId) throw new Error(`correlation id ${corr}, expected ${correlationId}`)
  const errorCode = body.readInt16BE(4)
  const n = body.readInt32BE(6)
  if (n < 0 || 10 + n * 6 > body.length) throw new Error(`ApiVersions array of ${n} does not fit ${body.length} bytes`)
  const apis: ApiRange[] = []
  for (let i = 0; i < n; i++) {
    const o = 10 + i * 6
    apis.push({ apiKey: body.readInt16BE(o), minVersion: body.readInt16BE(o + 2), maxVersion: body.readInt16BE(o + 4) })
  }
  return { errorCode, apis }
}

/** One connection, one ApiVersions v0 request; rejects on connect failure, close or timeout. */
export function requestApiVersions(host: string, port: number, timeoutMs = 2000): Promise<ApiVersionsAnswer> {
  const correlationId = 0x5a5a
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port })
    let buf = Buffer.alloc(0)
    const done = (err: Error | null, v?: ApiVersionsAnswer): void => {
      clearTimeout(timer)
      sock.destroy()
      if (err) reject(err)
      else resolve(v!)
    }
    const timer = setTimeout(() => done(new Error(`no ApiVersions answer within ${timeoutMs} ms`)), timeoutMs)
    sock.on('error', (e) => done(e))
    sock.on('close', () => done(new Error('connection closed before an ApiVersions answer')))
    sock.on('connect', () => sock.write(apiVersionsV0Request(correlationId)))
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d])
      if (buf.length < 4) return
      const size = buf.readInt32BE(0)
      if (buf.length < 4 + size) return
      try {
        done(null, parseApiVersionsV0(buf.subarray(4, 4 + size), correlationId))
      } catch (e) {
        done(e as Error)
      }
    })
  })
}

export const FIND_COORDINATOR = 10
