// What every client subcommand shares: its I/O, option parsing with usage errors, the --brokers option,
// a client that is always closed, and plain-text tables.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { KafkaClient } from '../../client/client.js'

export interface Io {
  stdout: { write: (s: string | Uint8Array) => unknown }
  stderr: { write: (s: string) => unknown }
  stdin: NodeJS.ReadableStream
  env: Record<string, string | undefined>
  /** Ends long-running commands (consume) as SIGINT does in the real CLI. */
  signal?: AbortSignal
}

/** A command line that cannot be run: exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

export interface Command {
  name: string
  summary: string
  help: string
  run: (args: string[], io: Io) => Promise<number>
}

export const DEFAULT_BROKERS = '127.0.0.1:9092'

export const BROKERS_HELP = `  -b, --brokers HOST:PORT[,HOST:PORT]
                             brokers to bootstrap from (default $SAMSA_BROKERS or ${DEFAULT_BROKERS})
  -h, --help                 show this help`

type Options = NonNullable<ParseArgsConfig['options']>

/** parseArgs with --brokers and --help added; parse failures become UsageErrors. */
export function parse<O extends Options> (args: string[], options: O, positionals: { min?: number, max?: number, usage: string }): { values: any, positionals: string[] } {
  let parsed: { values: any, positionals: string[] }
  try {
    parsed = parseArgs({
      args: joinNegativeValues(args, options),
      allowPositionals: true,
      strict: true,
      options: { ...options, brokers: { type: 'string', short: 'b' }, help: { type: 'boolean', short: 'h' } }
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (parsed.values.help === true) return parsed
  const n = parsed.positionals.length
  if (n < (positionals.min ?? 0)) throw new UsageError(`missing argument: ${positionals.usage}`)
  if (positionals.max !== undefined && n > positionals.max) throw new UsageError(`unexpected argument: ${parsed.positionals[positionals.max]}`)
  return parsed
}

/** parseArgs refuses "-o -1" as ambiguous; a negative number after a value option is its value. */
function joinNegativeValues (args: string[], options: Options): string[] {
  const valued = new Set<string>()
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== 'string') continue
    valued.add(`--${name}`)
    if (o.short !== undefined) valued.add(`-${o.short}`)
  }
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    const next = args[i + 1]
    if (a === '--') { out.push(...args.slice(i)); break }
    if (valued.has(a) && next !== undefined && /^-\d+$/.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`)
      i++
    } else {
      out.push(a)
    }
  }
  return out
}

export function brokersOf (values: { brokers?: string }, io: Io): string[] {
  const s = values.brokers ?? io.env.SAMSA_BROKERS ?? DEFAULT_BROKERS
  const list = s.split(',').map(x => x.trim()).filter(x => x !== '')
  if (list.length === 0) throw new UsageError('--brokers is empty')
  for (const b of list) if (!/^(\[[^\]]+\]|[^:[\]]+):\d{1,5}$/.test(b)) throw new UsageError(`--brokers expects host:port, got ${b}`)
  return list
}

export async function withClient<T> (values: { brokers?: string }, io: Io, fn: (c: KafkaClient) => Promise<T>): Promise<T> {
  const client = new KafkaClient({ brokers: brokersOf(values, io), clientId: 'samsa-cli', connectTimeoutMs: 5000, requestTimeoutMs: 30000 })
  try {
    return await fn(client)
  } finally {
    client.close()
  }
}

export function intOption (name: string, s: string | undefined, min: number, max = 2 ** 31 - 1): number | undefined {
  if (s === undefined) return undefined
  if (!/^-?\d+$/.test(s) || Number(s) < min || Number(s) > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${s}`)
  return Number(s)
}

/** "k=v" pairs; the value may itself contain '='. */
export function keyValues (name: string, list: string[] | undefined): Array<[string, string]> {
  return (list ?? []).map(s => {
    const eq = s.indexOf('=')
    if (eq <= 0) throw new UsageError(`${name} expects KEY=VALUE, got ${s}`)
    return [s.slice(0, eq), s.slice(eq + 1)]
  })
}

/** Left-aligned columns separated by two spaces, rpk style. */
export function table (header: string[], rows: Array<Array<string | number | bigint | null>>): string {
  const cells = [header, ...rows.map(r => r.map(c => c === null ? '-' : String(c)))]
  const widths = header.map((_, i) => cells.reduce((w, r) => Math.max(w, r[i]?.length ?? 0), 0))
  return cells.map(r => r.map((c, i) => i === r.length - 1 ? c : c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n'
}

/** JSON with bigints as numbers when exact, else strings. */
export function toJson (v: unknown): string {
  return JSON.stringify(v, (_k, x) => typeof x === 'bigint' ? (x <= BigInt(Number.MAX_SAFE_INTEGER) && x >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(x) : x.toString()) : x)
}
