// An in-process broker with the storage engine's pieces wired in directly (DeleteRecords handler,
// log maintenance with a test clock and no timers), for tests that must not depend on index.ts wiring.
import { Broker } from '../../src/broker/broker.js'
import { createRegistry } from '../../src/handlers/index.js'
import { deleteRecordsHandler } from '../../src/handlers/21-delete-records.js'
import { KafkaServer } from '../../src/server/server.js'
import { createLogger } from '../../src/server/logger.js'
import { RawClient } from '../helpers/raw-client.js'
import { tempDir, testConfig } from '../helpers/broker.js'
import { startLogMaintenance, type LogMaintenance, type LogMaintenanceOptions } from '../../src/broker/log-maintenance.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface StorageBroker {
  broker: Broker
  maintenance: LogMaintenance
  client: () => Promise<RawClient>
  stop: () => Promise<void>
}

export async function startStorageBroker (t: Teardown, opts: { config?: Record<string, string>, maintenance?: LogMaintenanceOptions, dir?: string } = {}): Promise<StorageBroker> {
  const dir = opts.dir ?? tempDir(t)
  const log = createLogger('silent')
  const broker = await Broker.open(testConfig(dir, opts.config), log)
  const registry = createRegistry()
  if (registry.get(21) === undefined) registry.register(deleteRecordsHandler)
  const server = new KafkaServer(broker, registry, log)
  const { port } = await server.listen({ host: '127.0.0.1', port: 0, maxRequestBytes: 100 * 1024 * 1024 })
  const maintenance = startLogMaintenance(broker, { timers: false, ...opts.maintenance })
  const clients: RawClient[] = []
  let stopped: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await Promise.all(clients.map(async c => await c.close()))
      await maintenance.stop()
      await server.close(1000)
      await broker.close()
    })()
    return stopped
  }
  t.teardown(stop)
  return {
    broker,
    maintenance,
    stop,
    client: async () => {
      const c = await RawClient.connect(port)
      clients.push(c)
      return c
    }
  }
}
