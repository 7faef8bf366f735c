// Kafka prints Uuids as URL-safe base64 without padding (22 chars); we keep that as the in-memory form so
// ids compare as strings and log the way Kafka's tools show them.
import { randomBytes } from 'node:crypto'

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export function uuidToString (bytes: Buffer): string {
  return bytes.toString('base64url')
}

export function uuidToBytes (id: string): Buffer {
  const b = Buffer.from(id, 'base64url')
  if (b.length !== 16) throw new RangeError(`not a Kafka uuid: ${id}`)
  return b
}

/** A random uuid as Kafka makes them: never the zero id and never starting with '-' (which breaks CLI parsing). */
export function randomUuid (): string {
  for (;;) {
    const b = randomBytes(16)
    b[6] = (b[6]! & 0x0f) | 0x40
    b[8] = (b[8]! & 0x3f) | 0x80
    const s = uuidToString(b)
    if (s !== ZERO_UUID && !s.startsWith('-')) return s
  }
}
