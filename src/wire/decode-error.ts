/** Raised by every decoder on truncated or malformed input; callers turn it into Kafka's error or a closed connection. */
export class DecodeError extends Error {
  override name = 'DecodeError'
  constructor (message: string, readonly offset?: number) {
    super(offset === undefined ? message : `${message} at byte ${offset}`)
  }
}
