// samsa cluster info [--api-versions]
import { parse, withClient, table, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { clusterInfo } from '../../client/admin.js'
import { apiName } from '../../client/versions.js'

const HELP = `Usage: samsa cluster info [options]

Cluster id, controller and brokers (from DescribeCluster when the broker serves it, else Metadata).

Options:
      --api-versions         also list the API versions the bootstrap broker advertises and the
                             version this client uses for each
      --json                 machine-readable output
${BROKERS_HELP}
`

const OPTIONS = { 'api-versions': { type: 'boolean' }, json: { type: 'boolean' } } as const

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'show brokers, controller, cluster id and advertised API versions',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, usage: 'samsa cluster info' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    if (positionals[0] !== 'info') throw new UsageError(`unknown cluster command: ${positionals[0]!} (see samsa cluster --help)`)
    return await withClient(values, io, async c => {
      const info = await clusterInfo(c)
      const conn = await c.any()
      const apis = values['api-versions'] === true
        ? [...conn.brokerApis].sort((a, b) => a.apiKey - b.apiKey).map(a => ({ apiKey: a.apiKey, name: apiName(a.apiKey), minVersion: a.minVersion, maxVersion: a.maxVersion, using: conn.versions.get(a.apiKey) ?? null }))
        : null
      if (values.json === true) {
        io.stdout.write(toJson({ ...info, apiVersions: apis ?? undefined }) + '\n')
        return 0
      }
      io.stdout.write(`CLUSTER      ${info.clusterId ?? '-'}\nCONTROLLER   ${info.controllerId}\n\n`)
      io.stdout.write(table(['ID', 'HOST', 'PORT', 'RACK'], info.brokers.map(b => [b.nodeId === info.controllerId ? `${b.nodeId}*` : b.nodeId, b.host, b.port, b.rack])))
      if (apis !== null) {
        io.stdout.write(`\nAPI VERSIONS advertised by ${conn.address}\n`)
        io.stdout.write(table(['KEY', 'NAME', 'MIN', 'MAX', 'USING'], apis.map(a => [a.apiKey, a.name, a.minVersion, a.maxVersion, a.using])))
      }
      return 0
    })
  }
}
