// Structured logs go to stderr so stdout stays free for the one "ready" line scripts wait for.
import { pino, type Logger } from 'pino'

export type { Logger }

export function createLogger (level: string): Logger {
  return pino({ level, base: { name: 'samsa' } }, pino.destination({ dest: 2, sync: true }))
}
