// Runs a client subcommand in-process against a broker, capturing its output and exit code.
import { Readable } from 'node:stream'
import { runClientCommand } from '../../../src/cli/commands/index.js'

export interface Result { code: number, stdout: string, stderr: string, out: Buffer }

export async function samsa (port: number, args: string[], opts: { stdin?: string | Buffer, signal?: AbortSignal } = {}): Promise<Result> {
  const out: Buffer[] = []
  let stderr = ''
  const code = await runClientCommand([...args, '--brokers', `127.0.0.1:${port}`], {
    stdout: { write: (s: string | Uint8Array) => out.push(Buffer.from(s)) },
    stderr: { write: (s: string) => { stderr += s } },
    stdin: Readable.from(opts.stdin === undefined ? [] : [Buffer.from(opts.stdin)]),
    env: {},
    signal: opts.signal
  })
  const buf = Buffer.concat(out)
  return { code, stdout: buf.toString('utf8'), stderr, out: buf }
}
