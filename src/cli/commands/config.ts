// samsa config get|set: broker configs.
import { parse, withClient, keyValues, intOption, table, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { describeConfigs, alterConfigs, ResourceType } from '../../client/admin.js'
import type { KafkaClient } from '../../client/client.js'

const HELP = `Usage: samsa config COMMAND [options]

Commands:
  get [KEY...]               broker configs (all, or the named ones)
  set KEY=VALUE... [--delete KEY ...]
                             set or remove dynamic broker configs

Options:
      --broker ID            the broker to read or change (default: the bootstrap broker's id)
      --default              (set) change the cluster-wide dynamic default instead of one broker
      --delete KEY           (set) remove a dynamic config, repeatable
      --json                 machine-readable output
${BROKERS_HELP}
`

const OPTIONS = {
  broker: { type: 'string' },
  default: { type: 'boolean' },
  delete: { type: 'string', multiple: true },
  json: { type: 'boolean' }
} as const

/** The bootstrap broker's node id: the broker in Metadata whose address is the one we reached. */
async function localBrokerId (c: KafkaClient): Promise<number> {
  const res = await c.metadata([])
  const conn = await c.any()
  const b = res.brokers.find(x => `${x.host.includes(':') ? `[${x.host}]` : x.host}:${x.port}` === conn.address) ?? res.brokers[0]
  if (b === undefined) throw new UsageError('the cluster reported no brokers; name one with --broker')
  return b.nodeId
}

export const configCommand: Command = {
  name: 'config',
  summary: 'read and change broker configs',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, usage: 'samsa config get|set' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const [sub, ...rest] = positionals as [string, ...string[]]
    const brokerFlag = intOption('--broker', values.broker, 0)
    const json = values.json === true
    switch (sub) {
      case 'get':
        if (values.default === true) throw new UsageError('--default is for samsa config set')
        return await withClient(values, io, async c => {
          const id = brokerFlag ?? await localBrokerId(c)
          const entries = await describeConfigs(c, ResourceType.BROKER, String(id), rest.length === 0 ? null : rest)
          io.stdout.write(json ? toJson({ broker: id, configs: entries.map(({ sourceId: _s, ...e }) => e) }) + '\n' : table(['KEY', 'VALUE', 'SOURCE'], entries.map(e => [e.name, e.isSensitive ? '(sensitive)' : e.value, e.source])))
          return 0
        })
      case 'set': {
        const set = keyValues('config set', rest)
        const del: string[] = values.delete ?? []
        if (set.length === 0 && del.length === 0) throw new UsageError('samsa config set needs KEY=VALUE or --delete KEY')
        if (values.default === true && brokerFlag !== undefined) throw new UsageError('--default and --broker cannot be combined')
        return await withClient(values, io, async c => {
          const name = values.default === true ? '' : String(brokerFlag ?? await localBrokerId(c))
          const via = await alterConfigs(c, ResourceType.BROKER, name, { set, delete: del })
          const label = name === '' ? 'the cluster-wide default' : `broker ${name}`
          io.stdout.write(json ? toJson({ broker: name === '' ? null : Number(name), set: Object.fromEntries(set), deleted: del, api: via }) + '\n' : `altered configs of ${label} (${via})\n`)
          return 0
        })
      }
      default:
        throw new UsageError(`unknown config command: ${sub} (see samsa config --help)`)
    }
  }
}
