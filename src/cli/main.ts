// The `samsa` command: parse flags and config, open the broker, listen, print the ready line, and shut
// down cleanly on SIGINT/SIGTERM (a second signal exits at once).
import { readFileSync } from 'node:fs'
import { parseCommand, HELP } from './args.js'
import { BrokerConfig } from '../config/broker-config.js'
import { ConfigError } from '../config/config-def.js'
import { PropertiesError } from '../config/properties.js'
import { startBroker } from '../server/start.js'
import { MetaPropertiesError } from '../broker/meta-properties.js'
import { isClientCommand, runClientCommand } from './commands/index.js'
import type { Io } from './commands/common.js'

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/** The real process as the client commands' I/O; the first SIGINT/SIGTERM ends a consume cleanly. */
function processIo (): Io {
  const abort = new AbortController()
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130)
    abort.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // A reader that went away (samsa topic list | head) ends the command quietly, as it ends other Unix tools.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin () { return process.stdin },
    env: process.env,
    signal: abort.signal
  }
}

export async function main (argv: string[]): Promise<number | undefined> {
  if (isClientCommand(argv[0])) return await runClientCommand(argv, processIo())
  let config: BrokerConfig
  try {
    const cmd = parseCommand(argv)
    if (cmd.kind === 'help') { process.stdout.write(HELP); return 0 }
    if (cmd.kind === 'version') { process.stdout.write(`samsa ${version()}\n`); return 0 }
    config = new BrokerConfig(cmd.overrides)
    void config.dataDir
    void config.listener
  } catch (err) {
    if (err instanceof ConfigError || err instanceof PropertiesError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(`samsa: ${(err as Error).message}\n`)
      return 2
    }
    throw err
  }
  let running
  try {
    running = await startBroker(config)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    if (e.code === 'EADDRINUSE' || e.code === 'EADDRNOTAVAIL' || e.code === 'EACCES') {
      const l = config.listener
      process.stderr.write(`samsa: cannot listen on ${l.host}:${l.port}: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}\n`)
      return 1
    }
    if (e instanceof MetaPropertiesError) {
      process.stderr.write(`samsa: ${e.message}\n`)
      return 1
    }
    throw err
  }
  for (const name of config.unknown) running.log.warn({ config: name }, `The configuration '${name}' was supplied but isn't a known config.`)
  process.stdout.write(`samsa ready on ${running.bootstrap} (data dir ${config.dataDir})\n`)
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) {
      running.log.warn({ signal }, 'second signal; exiting without waiting')
      process.exit(1)
    }
    stopping = true
    running.log.info({ signal }, 'shutting down')
    running.stop().then(() => {
      running.log.info('stopped cleanly')
      process.exit(0)
    }, err => {
      running.log.error({ err }, 'error during shutdown')
      process.exit(1)
    })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  return undefined
}
