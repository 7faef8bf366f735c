// Kafka's client-metrics subscription configs (KIP-714 ClientMetricsConfigs): which metrics (name
// prefixes), how often, and which clients (match patterns on client_id, client_software_name, …).
// Stored as CLIENT_METRICS ConfigRecords. With samsa.telemetry.dir set, src/telemetry matches them to
// clients and sends them in GetTelemetrySubscriptions; otherwise they are only kept and described.
import { ConfigError, parseValue, type ConfigDef } from './config-def.js'

export const CLIENT_METRICS_CONFIGS: ConfigDef[] = [
  { name: 'metrics', type: 'list', default: '' },
  { name: 'interval.ms', type: 'int', default: '300000' },
  { name: 'match', type: 'list', default: '' }
]

export const CLIENT_METRICS_DOCS: Readonly<Record<string, string>> = {
  metrics: 'Subscription metrics list',
  'interval.ms': 'Push interval in milliseconds',
  match: 'Client match pattern list'
}

const MATCH_PARAMS = ['client_instance_id', 'client_id', 'client_software_name', 'client_software_version', 'client_source_address', 'client_source_port']
const MIN_INTERVAL_MS = 100
const MAX_INTERVAL_MS = 3_600_000

export function clientMetricsConfigDef (name: string): ConfigDef | undefined {
  return CLIENT_METRICS_CONFIGS.find(d => d.name === name)
}

/** Why Kafka refuses a subscription's configs; `request` distinguishes INVALID_REQUEST from INVALID_CONFIG. */
export class ClientMetricsConfigError extends ConfigError {
  constructor (message: string, readonly request: boolean) { super(message) }
}

/** Kafka's ClientMetricsConfigs.validate over a subscription's whole set. */
export function validateClientMetricsConfigs (configs: ReadonlyMap<string, string>): void {
  for (const name of configs.keys()) {
    if (clientMetricsConfigDef(name) === undefined) throw new ClientMetricsConfigError(`Unknown client metric configuration: ${name}`, true)
  }
  const interval = configs.get('interval.ms')
  if (interval !== undefined) {
    let ms: number
    try {
      ms = parseValue(clientMetricsConfigDef('interval.ms')!, interval) as number
    } catch (e) {
      if (e instanceof ConfigError) throw new ClientMetricsConfigError(e.message, false)
      throw e
    }
    if (ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
      throw new ClientMetricsConfigError(`Invalid value ${ms} for interval.ms, interval must be between ${MIN_INTERVAL_MS} and ${MAX_INTERVAL_MS} (1 hour)`, true)
    }
  }
  const match = configs.get('match')
  if (match !== undefined && match !== '') for (const pattern of match.split(',')) parseMatchPattern(pattern)
}

/** One `param=regex` pattern; the regex is compiled to reject bad syntax. */
function parseMatchPattern (pattern: string): void {
  const illegal = (): never => { throw new ClientMetricsConfigError(`Illegal client matching pattern: ${pattern}`, false) }
  const pair = pattern.split('=')
  // Java's String.split drops trailing empty parts, so "client_id=" has no value.
  while (pair.length > 0 && pair[pair.length - 1] === '') pair.pop()
  if (pair.length !== 2) illegal()
  if (!MATCH_PARAMS.includes(pair[0]!.trim())) illegal()
  try {
    void new RegExp(pair[1]!.trim())
  } catch {
    illegal()
  }
}
