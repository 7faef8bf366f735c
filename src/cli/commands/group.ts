// samsa group list|describe|delete|seek
import { parse, withClient, table, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { listGroups, describeGroup, deleteGroup, fetchCommitted, groupLag, resetGroupOffsets } from '../../client/group.js'
import type { StartSpec } from '../../client/consumer.js'

const HELP = `Usage: samsa group COMMAND [options]

Commands:
  list                       list groups (asks every broker)
  describe GROUP             state, members, assignments, committed offsets and lag
  delete GROUP               delete a group with no members
  seek GROUP --to WHERE [--topic TOPIC]
                             reset the committed offsets of a group with no members, as
                             kafka-consumer-groups --reset-offsets does. WHERE is earliest, latest,
                             timestamp:MS or offset:N (clamped to each partition's range). Without
                             --topic, every topic the group has committed offsets for.

Options:
      --to WHERE             (seek) target offsets
  -t, --topic TOPIC          (seek) topic to reset, repeatable
      --json                 machine-readable output
${BROKERS_HELP}
`

const OPTIONS = {
  to: { type: 'string' },
  topic: { type: 'string', short: 't', multiple: true },
  json: { type: 'boolean' }
} as const

export function parseSeekTarget (s: string | undefined): StartSpec {
  if (s === undefined) throw new UsageError('samsa group seek needs --to earliest|latest|timestamp:MS|offset:N')
  if (s === 'earliest' || s === 'beginning') return { kind: 'beginning' }
  if (s === 'latest' || s === 'end') return { kind: 'end' }
  let m = /^timestamp:(\d+)$/.exec(s)
  if (m !== null) return { kind: 'timestamp', timestamp: BigInt(m[1]!) }
  m = /^offset:(\d+)$/.exec(s)
  if (m !== null) return { kind: 'offset', offset: BigInt(m[1]!) }
  throw new UsageError(`--to must be earliest, latest, timestamp:MS or offset:N, got ${s}`)
}

export const groupCommand: Command = {
  name: 'group',
  summary: 'list, describe, delete consumer groups and reset their offsets',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, usage: 'samsa group COMMAND' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const [sub, ...rest] = positionals as [string, ...string[]]
    const json = values.json === true
    const one = (): string => {
      if (rest.length !== 1) throw new UsageError(`samsa group ${sub} takes exactly one group id`)
      return rest[0]!
    }
    switch (sub) {
      case 'list': {
        if (rest.length > 0) throw new UsageError(`unexpected argument: ${rest[0]}`)
        return await withClient(values, io, async c => {
          const groups = await listGroups(c)
          io.stdout.write(json ? toJson(groups) + '\n' : table(['GROUP', 'TYPE', 'STATE', 'PROTOCOL-TYPE'], groups.map(g => [g.groupId, g.type === '' ? null : g.type, g.state === '' ? null : g.state, g.protocolType === '' ? null : g.protocolType])))
          return 0
        })
      }
      case 'describe': {
        const id = one()
        return await withClient(values, io, async c => {
          const d = await describeGroup(c, id)
          const committed = await fetchCommitted(c, id, null)
          const assigned = [...new Set(d.members.flatMap(m => [...m.assignment.keys()]))]
          const lag = await groupLag(c, id, committed, assigned)
          const owner = (topic: string, p: number): string | null => d.members.find(m => m.assignment.get(topic)?.includes(p) === true)?.memberId ?? null
          const rows = lag.map(l => ({ ...l, memberId: owner(l.topic, l.partition) }))
          if (json) {
            io.stdout.write(toJson({
              group: id,
              state: d.state,
              protocolType: d.protocolType,
              protocol: d.protocol,
              members: d.members.map(m => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost, assignment: Object.fromEntries(m.assignment) })),
              offsets: rows
            }) + '\n')
            return 0
          }
          const totalLag = rows.reduce((s, r) => s + (r.lag ?? 0n), 0n)
          io.stdout.write(`GROUP        ${id}\nSTATE        ${d.state}\nPROTOCOL     ${d.protocolType === '' ? '-' : d.protocolType}${d.protocol === '' ? '' : `/${d.protocol}`}\nMEMBERS      ${d.members.length}\nTOTAL-LAG    ${totalLag}\n\n`)
          if (d.members.length > 0) {
            io.stdout.write(table(['MEMBER-ID', 'CLIENT-ID', 'HOST', 'ASSIGNMENT'], d.members.map(m => [m.memberId, m.clientId, m.clientHost, [...m.assignment].map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ')])))
            io.stdout.write('\n')
          }
          io.stdout.write(table(['TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'MEMBER-ID'], rows.map(r => [r.topic, r.partition, r.committed, r.end, r.lag, r.memberId])))
          return 0
        })
      }
      case 'delete': {
        const id = one()
        return await withClient(values, io, async c => {
          await deleteGroup(c, id)
          io.stdout.write(json ? toJson({ group: id, deleted: true }) + '\n' : `deleted group ${id}\n`)
          return 0
        })
      }
      case 'seek': {
        const id = one()
        const to = parseSeekTarget(values.to)
        return await withClient(values, io, async c => {
          let topics: string[] = values.topic ?? []
          if (topics.length === 0) {
            topics = [...(await fetchCommitted(c, id, null)).keys()].sort()
            if (topics.length === 0) throw new UsageError(`group ${id} has no committed offsets; name the topics with --topic`)
          }
          const offsets = await resetGroupOffsets(c, id, topics, to)
          const rows = [...offsets].flatMap(([t, ps]) => [...ps].map(([p, o]) => ({ topic: t, partition: p, offset: o })))
          io.stdout.write(json ? toJson({ group: id, offsets: rows }) + '\n' : table(['TOPIC', 'PARTITION', 'NEW-OFFSET'], rows.map(r => [r.topic, r.partition, r.offset])))
          return 0
        })
      }
      default:
        throw new UsageError(`unknown group command: ${sub} (see samsa group --help)`)
    }
  }
}
