// Wires a broker to its listener; used by the CLI and by tests that want an in-process broker.
import type { BrokerConfig } from '../config/broker-config.js'
import { Broker } from '../broker/broker.js'
import { startLogMaintenance } from '../broker/log-maintenance.js'
import { createRegistry } from '../handlers/index.js'
import { emulateRelease } from '../broker/version-emulation.js'
import { createTelemetry } from '../telemetry/telemetry.js'
import { KafkaServer } from './server.js'
import { createLogger, type Logger } from './logger.js'

export interface RunningBroker {
  broker: Broker
  log: Logger
  host: string
  port: number
  /** host:port clients should bootstrap from. */
  bootstrap: string
  stop: () => Promise<void>
}

export async function startBroker (config: BrokerConfig, log: Logger = createLogger(config.str('samsa.log.level')!)): Promise<RunningBroker> {
  const started = Date.now()
  const broker = await Broker.open(config, log)
  // Before listening, so the fsync durability policy covers the very first produce.
  const maintenance = startLogMaintenance(broker)
  let telemetry
  try {
    telemetry = await createTelemetry(broker, log)
  } catch (err) {
    await maintenance.stop()
    await broker.close()
    throw err
  }
  const registry = createRegistry({ telemetry })
  const emulated = config.str('samsa.kafka.version')
  if (emulated !== null) {
    emulateRelease(registry, emulated)
    log.info({ kafkaVersion: emulated }, 'advertising the API versions of this Kafka release')
  }
  const server = new KafkaServer(broker, registry, log)
  const listener = config.listener
  let bound
  try {
    bound = await server.listen({ host: listener.host, port: listener.port, maxRequestBytes: config.int('socket.request.max.bytes') })
  } catch (err) {
    await maintenance.stop()
    await broker.close()
    throw err
  }
  // With port 0 (or an advertised port of 0) clients must be told the port actually bound.
  if (broker.advertisedPort === 0) broker.advertisedPort = bound.port
  const bootstrap = `${broker.advertisedHost}:${broker.advertisedPort}`
  log.info({ listen: `${bound.host}:${bound.port}`, advertised: bootstrap, dataDir: config.dataDir, clusterId: broker.clusterId, nodeId: broker.nodeId, ms: Date.now() - started }, 'samsa started')
  let stopped: Promise<void> | null = null
  return {
    broker,
    log,
    host: bound.host,
    port: bound.port,
    bootstrap,
    stop: () => {
      stopped ??= (async () => {
        broker.shuttingDown = true
        for (const p of broker.partitions.values()) p.wake()
        // Parked JoinGroup/SyncGroup answers are completed (NOT_COORDINATOR) so in-flight requests drain.
        await broker.groups.close()
        await server.close(config.int('samsa.shutdown.timeout.ms'))
        await maintenance.stop()
        await broker.close()
      })()
      return stopped
    }
  }
}
