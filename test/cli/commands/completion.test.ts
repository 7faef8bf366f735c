import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { startTestBroker } from '../../helpers/broker.js'
import { samsa } from './run.js'
import { wordsFromHelp } from '../../../src/cli/commands/completion.js'
import { COMMANDS } from '../../../src/cli/commands/index.js'

const run = promisify(execFile)
const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'samsa.js')

/**
 * What bash completes for `line`, the cursor at its end, set up as bash does for `complete -F`
 * (COMP_WORDS split at ':' too, as bash's COMP_WORDBREAKS does). Async: the script may run the CLI
 * against the in-process test broker, which must keep serving meanwhile.
 */
async function complete (script: string, line: string, env: Record<string, string> = {}): Promise<string[]> {
  const words = line.split(/ |(?<=:)|(?=:)/)
  const program = `${script}
COMP_LINE=${JSON.stringify(line)}
COMP_POINT=${line.length}
COMP_WORDS=(${words.map(w => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_samsa
printf '%s\\n' "\${COMPREPLY[@]}"`
  const { stdout } = await run('bash', ['-c', program], { encoding: 'utf8', env: { ...process.env, ...env } })
  return stdout.split('\n').filter(w => w !== '').sort()
}

t.test('help texts give the words: subcommands, options, which options take a value', async t => {
  const topic = wordsFromHelp(COMMANDS.find(c => c.name === 'topic')!.help)
  t.same(topic.subcommands, ['create', 'list', 'describe', 'delete', 'alter-config', 'add-partitions'])
  t.ok(topic.options.includes('--partitions') && topic.options.includes('-p') && topic.options.includes('--internal'))
  t.ok(topic.valued.includes('--partitions'), '--partitions N takes a value')
  t.notOk(topic.valued.includes('--internal'), '--internal does not')
  for (const c of COMMANDS) {
    const w = wordsFromHelp(c.help)
    if (c.name !== 'completion') t.ok(w.options.includes('--brokers') && w.options.includes('--help'), `${c.name} lists --brokers and --help`)
  }
})

t.test('bash completion of commands, subcommands, options and topic names', async t => {
  const b = await startTestBroker(t)
  const created = await samsa(b.port, ['topic', 'create', 'orders-eu'])
  t.equal(created.code, 0, created.stderr)
  t.equal((await samsa(b.port, ['topic', 'create', 'orders-us'])).code, 0)
  const out = await samsa(b.port, ['completion', 'bash'])
  t.equal(out.code, 0, out.stderr)
  const script = out.stdout

  const top = await complete(script, 'samsa ')
  for (const c of ['start', 'topic', 'produce', 'consume', 'group', 'cluster', 'config', 'help', 'completion']) t.ok(top.includes(c), `offers ${c}`)
  t.same(await complete(script, 'samsa to'), ['topic'])
  t.same(await complete(script, 'samsa topic '), ['add-partitions', 'alter-config', 'create', 'delete', 'describe', 'list'])
  t.same(await complete(script, 'samsa group s'), ['seek'])
  t.same(await complete(script, 'samsa consume --group-'), ['--group-protocol'])
  t.same(await complete(script, 'samsa --data-'), ['--data-dir'], 'start options before any command')
  t.same(await complete(script, 'samsa --port 9092 con'), ['config', 'consume'], 'an option value is not taken for the command')
  t.same(await complete(script, 'samsa consume -o '), [], 'nothing to offer for an option value')
  t.same(await complete(script, 'samsa help co'), ['completion', 'config', 'consume'])

  const env = { SAMSA_COMPLETION_BIN: bin }
  t.same(await complete(script, `samsa consume -b 127.0.0.1:${b.port} orders-`, env), ['orders-eu', 'orders-us'], 'topic names from the broker on the line')
  t.same(await complete(script, `samsa topic describe --brokers 127.0.0.1:${b.port} orders-e`, env), ['orders-eu'])
  t.same(await complete(script, `samsa topic create --brokers 127.0.0.1:${b.port} orders-`, env), [], 'a new topic name is not completed')
  t.same(await complete(script, 'samsa consume -b 127.0.0.1:1 orders-', env), [], 'no broker: no names, no error')
})

t.test('zsh script and bad shells', async t => {
  const zsh = await samsa(1, ['completion', 'zsh'])
  t.equal(zsh.code, 0)
  t.match(zsh.stdout, /^#compdef samsa\n/)
  t.match(zsh.stdout, /bashcompinit/)
  const bad = await samsa(1, ['completion', 'fish'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /unknown shell fish/)
  const none = await samsa(1, ['completion'])
  t.equal(none.code, 2)
})
