// An in-process broker on an ephemeral port in a fresh temp directory, torn down with the test. Clients
// opened through it are closed first, so teardown never waits on a lingering long-poll.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrokerConfig } from '../../src/config/broker-config.js'
import { startBroker, type RunningBroker } from '../../src/server/start.js'
import { RawClient } from './raw-client.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface TestBroker {
  running: RunningBroker
  dir: string
  port: number
  /** A new raw client on this broker, closed at teardown. */
  client: () => Promise<RawClient>
  /** Stops the broker (idempotent); clients are closed first. */
  stop: () => Promise<void>
}

export interface TestBrokerOptions {
  /** Kafka config overrides; listeners, log.dir and samsa.log.level have test defaults. */
  config?: Record<string, string>
  /** Reuse a data directory (restart tests); otherwise a fresh one is made and removed at teardown. */
  dir?: string
}

export function testConfig (dir: string, config: Record<string, string> = {}): BrokerConfig {
  return new BrokerConfig(new Map([
    ['listeners', 'PLAINTEXT://127.0.0.1:0'],
    ['log.dir', dir],
    ['samsa.log.level', 'silent'],
    ['samsa.shutdown.timeout.ms', '2000'],
    ...Object.entries(config)
  ]))
}

export function tempDir (t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-test-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

export async function startTestBroker (t: Teardown, opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const dir = opts.dir ?? tempDir(t)
  const running = await startBroker(testConfig(dir, opts.config))
  const clients: RawClient[] = []
  let stopped: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(clients.map(c => c.close()))
      await running.stop()
    })()
    return stopped
  }
  t.teardown(stop)
  return {
    running,
    dir,
    port: running.port,
    stop,
    client: async () => {
      const c = await RawClient.connect(running.port, running.host)
      clients.push(c)
      return c
    }
  }
}
