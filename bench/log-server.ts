// A samsa broker with the storage engine's background work wired in (log maintenance, the durability
// policy, DeleteRecords), for the crash test and the durability benchmark, independent of whether the
// CLI wires them yet. Usage: node --import tsx bench/log-server.ts <dataDir> [os|fsync]
// Prints "ready <port>" on stdout once it accepts connections.
import { BrokerConfig } from '../src/config/broker-config.js'
import { startBroker } from '../src/server/start.js'
import { startLogMaintenance } from '../src/broker/log-maintenance.js'
import { createLogger } from '../src/server/logger.js'

const dir = process.argv[2]
const durability = (process.argv[3] ?? 'fsync') as 'os' | 'fsync'
if (dir === undefined) {
  process.stderr.write('usage: log-server.ts <dataDir> [os|fsync]\n')
  process.exit(2)
}
const config = new BrokerConfig(new Map([['listeners', 'PLAINTEXT://127.0.0.1:0'], ['log.dir', dir], ['samsa.log.level', 'warn']]))
const running = await startBroker(config, createLogger('warn'))
const maintenance = startLogMaintenance(running.broker, { durability, retentionCheckIntervalMs: 300_000 })
process.stdout.write(`ready ${running.port}\n`)
process.on('SIGTERM', () => {
  void (async () => {
    await maintenance.stop()
    await running.stop()
    process.exit(0)
  })()
})
