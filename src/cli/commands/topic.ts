// samsa topic create|list|describe|delete|alter-config|add-partitions
import { parse, withClient, intOption, keyValues, table, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { createTopic, deleteTopics, listTopics, describeConfigs, alterConfigs, createPartitions, ResourceType } from '../../client/admin.js'
import { API } from '../../client/client.js'

const HELP = `Usage: samsa topic COMMAND [options]

Commands:
  create NAME [-p N] [-r N] [-c KEY=VALUE ...]   create a topic (defaults: the broker's num.partitions
                                                 and default.replication.factor)
  list                                           list topics
  describe NAME                                  partitions, leaders, replicas and configs
  delete NAME...                                 delete topics
  alter-config NAME [--set KEY=VALUE ...] [--delete KEY ...]
                                                 change or remove topic config overrides
  add-partitions NAME -n TOTAL                   grow a topic to TOTAL partitions

Options:
  -p, --partitions N         (create) number of partitions
  -r, --replication N        (create) replication factor
  -c, --config KEY=VALUE     (create) topic config, repeatable
      --set KEY=VALUE        (alter-config) repeatable
      --delete KEY           (alter-config) repeatable
  -n, --num N                (add-partitions) the new total partition count
      --internal             (list) include internal topics
      --json                 machine-readable output
${BROKERS_HELP}
`

const OPTIONS = {
  partitions: { type: 'string', short: 'p' },
  replication: { type: 'string', short: 'r' },
  config: { type: 'string', short: 'c', multiple: true },
  set: { type: 'string', multiple: true },
  delete: { type: 'string', multiple: true },
  num: { type: 'string', short: 'n' },
  internal: { type: 'boolean' },
  json: { type: 'boolean' }
} as const

export const topicCommand: Command = {
  name: 'topic',
  summary: 'create, list, describe, delete and alter topics',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, usage: 'samsa topic COMMAND' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const [sub, ...rest] = positionals as [string, ...string[]]
    const json = values.json === true
    const one = (): string => {
      if (rest.length !== 1) throw new UsageError(`samsa topic ${sub} takes exactly one topic name`)
      return rest[0]!
    }
    switch (sub) {
      case 'create': {
        const name = one()
        const partitions = intOption('--partitions', values.partitions, 1)
        const replicationFactor = intOption('--replication', values.replication, 1, 32767)
        const configs = keyValues('--config', values.config)
        return await withClient(values, io, async c => {
          const r = await createTopic(c, { name, partitions, replicationFactor, configs })
          io.stdout.write(json ? toJson({ name, ...r }) + '\n' : table(['TOPIC', 'ID', 'PARTITIONS', 'REPLICAS'], [[name, r.topicId, r.partitions, r.replicationFactor]]))
          return 0
        })
      }
      case 'list': {
        if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`)
        return await withClient(values, io, async c => {
          const topics = await listTopics(c, values.internal === true)
          io.stdout.write(json ? toJson(topics) + '\n' : table(['NAME', 'PARTITIONS', 'REPLICAS'], topics.map(t => [t.name, t.partitions, t.replicationFactor])))
          return 0
        })
      }
      case 'describe': {
        const name = one()
        return await withClient(values, io, async c => {
          const meta = await c.topic(name, true)
          const conn = await c.any()
          // Configs are shown when the broker serves DescribeConfigs; partitions are shown regardless.
          const configs = conn.supports(API.DescribeConfigs) ? await describeConfigs(c, ResourceType.TOPIC, name) : null
          const partitions = [...meta.partitions].sort((a, b) => a[0] - b[0]).map(([p, x]) => ({ partition: p, leader: x.leaderId, leaderEpoch: x.leaderEpoch, replicas: x.replicas, isr: x.isr, error: x.errorCode }))
          if (json) {
            io.stdout.write(toJson({ name, topicId: meta.topicId, internal: meta.isInternal, partitions, configs }) + '\n')
            return 0
          }
          io.stdout.write(`NAME        ${name}\nID          ${meta.topicId}\nINTERNAL    ${meta.isInternal}\nPARTITIONS  ${partitions.length}\n\n`)
          io.stdout.write(table(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'ISR'], partitions.map(p => [p.partition, p.leader, p.leaderEpoch, p.replicas.join(','), p.isr.join(',')])))
          io.stdout.write('\n')
          if (configs === null) io.stdout.write(`CONFIGS     not shown: broker ${conn.address} does not support DescribeConfigs\n`)
          else io.stdout.write(table(['KEY', 'VALUE', 'SOURCE'], configs.map(e => [e.name, e.isSensitive ? '(sensitive)' : e.value, e.source])))
          return 0
        })
      }
      case 'delete': {
        if (rest.length === 0) throw new UsageError('missing argument: samsa topic delete NAME...')
        return await withClient(values, io, async c => {
          const results = await deleteTopics(c, rest)
          if (json) io.stdout.write(toJson(results.map(r => ({ name: r.name, error: r.error?.errorName ?? null, message: r.error?.message ?? null }))) + '\n')
          else io.stdout.write(table(['TOPIC', 'STATUS'], results.map(r => [r.name, r.error === null ? 'OK' : r.error.message])))
          return results.some(r => r.error !== null) ? 1 : 0
        })
      }
      case 'alter-config': {
        const name = one()
        const set = keyValues('--set', values.set)
        const del: string[] = values.delete ?? []
        if (set.length === 0 && del.length === 0) throw new UsageError('samsa topic alter-config needs --set KEY=VALUE or --delete KEY')
        return await withClient(values, io, async c => {
          const via = await alterConfigs(c, ResourceType.TOPIC, name, { set, delete: del })
          io.stdout.write(json ? toJson({ topic: name, set: Object.fromEntries(set), deleted: del, api: via }) + '\n' : `altered configs of topic ${name} (${via})\n`)
          return 0
        })
      }
      case 'add-partitions': {
        const name = one()
        const total = intOption('--num', values.num, 1)
        if (total === undefined) throw new UsageError('samsa topic add-partitions needs -n TOTAL')
        return await withClient(values, io, async c => {
          await createPartitions(c, name, total)
          io.stdout.write(json ? toJson({ topic: name, partitions: total }) + '\n' : `topic ${name} now has ${total} partitions\n`)
          return 0
        })
      }
      default:
        throw new UsageError(`unknown topic command: ${sub} (see samsa topic --help)`)
    }
  }
}
