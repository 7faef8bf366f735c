// The KIP-714 receiver a broker runs when samsa.telemetry.dir is set: the client-metrics manager over the
// broker's CLIENT_METRICS subscriptions and the receiver that writes accepted pushes to that directory.
import type { Broker } from '../broker/broker.js'
import type { Logger } from '../server/logger.js'
import { CLIENT_METRICS_RESOURCE } from '../broker/config-admin.js'
import { ConfigError } from '../config/config-def.js'
import { ClientMetricsManager } from './client-metrics-manager.js'
import { TelemetryReceiver } from './receiver.js'

export interface Telemetry {
  manager: ClientMetricsManager
  receiver: TelemetryReceiver
}

/** The broker's telemetry receiver, or null when samsa.telemetry.dir is unset (the APIs are then not served). */
export async function createTelemetry (broker: Broker, log: Logger): Promise<Telemetry | null> {
  const dir = broker.config.str('samsa.telemetry.dir')
  if (dir === null || dir === '') return null
  const maxBytes = broker.config.int('telemetry.max.bytes')
  const prefix = `${CLIENT_METRICS_RESOURCE}:`
  const manager = new ClientMetricsManager({
    telemetryMaxBytes: maxBytes,
    subscriptionConfigs: function * () {
      for (const [key, configs] of broker.metadata.image.otherConfigs) if (key.startsWith(prefix)) yield [key.slice(prefix.length), configs]
    }
  })
  const receiver = new TelemetryReceiver(dir, maxBytes, log)
  try {
    await receiver.init()
  } catch (e) {
    throw new ConfigError(`samsa.telemetry.dir ${dir} cannot be used: ${(e as Error).message}`)
  }
  log.info({ telemetryDir: dir, telemetryMaxBytes: maxBytes }, 'client telemetry receiver enabled (KIP-714)')
  return { manager, receiver }
}
