// Dispatch of the client subcommands and their exit codes: 0 success, 1 a Kafka or connection error
// (printed with the Kafka error name), 2 a usage error.
import { UsageError, type Command, type Io } from './common.js'
import { topicCommand } from './topic.js'
import { produceCommand } from './produce.js'
import { consumeCommand } from './consume.js'
import { groupCommand } from './group.js'
import { clusterCommand } from './cluster.js'
import { configCommand } from './config.js'
import { KafkaError, UnsupportedApiError, ConnectionError, RequestTimeoutError } from '../../client/errors.js'
import { GroupNotInactiveError } from '../../client/group.js'
import { CompressionError } from '../../wire/compression/index.js'
import { HELP as START_HELP } from '../args.js'
import { completionCommand } from './completion.js'

const CLIENT_COMMANDS: readonly Command[] = [topicCommand, produceCommand, consumeCommand, groupCommand, clusterCommand, configCommand]
export const COMMANDS: readonly Command[] = [...CLIENT_COMMANDS, completionCommand(() => CLIENT_COMMANDS, START_HELP)]

export const CLIENT_HELP = `Usage: samsa COMMAND [options]

Commands:
  start          run the broker (the default when no command is given; see samsa start --help)
${COMMANDS.map(c => `  ${c.name.padEnd(13)}  ${c.summary}`).join('\n')}
  help [COMMAND] show help for a command

Every client command takes --brokers HOST:PORT[,HOST:PORT] (default $SAMSA_BROKERS or 127.0.0.1:9092)
and --help. Exit codes: 0 success, 1 a Kafka error (its name is printed), 2 a usage error.
`

export function isClientCommand (name: string | undefined): boolean {
  return name === 'help' || COMMANDS.some(c => c.name === name)
}

export async function runClientCommand (argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv
  if (name === 'help') {
    const target = args[0]
    if (target === undefined) { io.stdout.write(CLIENT_HELP); return 0 }
    const cmd = COMMANDS.find(c => c.name === target)
    if (cmd === undefined) {
      if (target === 'start') { io.stdout.write(START_HELP); return 0 }
      io.stderr.write(`samsa: unknown command ${target} (see samsa help)\n`)
      return 2
    }
    io.stdout.write(cmd.help)
    return 0
  }
  const cmd = COMMANDS.find(c => c.name === name)
  if (cmd === undefined) {
    io.stderr.write(`samsa: unknown command ${String(name)} (see samsa help)\n`)
    return 2
  }
  try {
    return await cmd.run(args, io)
  } catch (err) {
    // Option checks deeper down throw RangeError; a stack overflow is one too, and is no usage error.
    if (err instanceof UsageError || (err instanceof RangeError && !err.message.includes('call stack'))) {
      io.stderr.write(`samsa ${cmd.name}: ${err.message} (see samsa ${cmd.name} --help)\n`)
      return 2
    }
    if (err instanceof KafkaError || err instanceof UnsupportedApiError || err instanceof ConnectionError || err instanceof RequestTimeoutError || err instanceof GroupNotInactiveError || err instanceof CompressionError) {
      io.stderr.write(`samsa ${cmd.name}: ${err.message}\n`)
      return 1
    }
    throw err
  }
}
