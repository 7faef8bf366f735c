// A long-running `samsa consume` in-process whose output can be watched while it runs, ended as SIGINT
// ends it (the abort signal).
import { Readable } from 'node:stream'
import { runClientCommand } from '../../../src/cli/commands/index.js'
import { sleep } from '../../../src/client/client.js'

export interface LiveConsumer {
  readonly stdout: string
  readonly stderr: string
  /** Lines printed so far (complete ones). */
  lines: () => string[]
  /** Waits until `pred` holds, up to `ms`; throws with the output so far otherwise. */
  until: (pred: (c: LiveConsumer) => boolean, ms?: number) => Promise<void>
  /** Aborts and resolves with the exit code. */
  stop: () => Promise<number>
  /** Resolves with the exit code when the command ends by itself. */
  done: Promise<number>
}

export function liveConsume (port: number | string, args: string[]): LiveConsumer {
  const ac = new AbortController()
  let stdout = ''
  let stderr = ''
  const brokers = typeof port === 'number' ? `127.0.0.1:${port}` : port
  const done = runClientCommand(['consume', ...args, '--brokers', brokers], {
    stdout: { write: (s: string | Uint8Array) => { stdout += Buffer.from(s).toString('utf8') } },
    stderr: { write: (s: string) => { stderr += s } },
    stdin: Readable.from([]),
    env: {},
    signal: ac.signal
  })
  const c: LiveConsumer = {
    get stdout () { return stdout },
    get stderr () { return stderr },
    lines: () => stdout.split('\n').slice(0, -1),
    until: async (pred, ms = 15000) => {
      const deadline = Date.now() + ms
      while (!pred(c)) {
        if (Date.now() > deadline) throw new Error(`timed out; stdout: ${JSON.stringify(stdout)} stderr: ${JSON.stringify(stderr)}`)
        await sleep(50)
      }
    },
    stop: async () => { ac.abort(); return await done },
    done
  }
  return c
}
