import t from 'tap'
import { parseCommand } from '../../src/cli/args.js'

t.test('--kafka-version sets samsa.kafka.version', async t => {
  const cmd = parseCommand(['--kafka-version', '3.6'])
  t.equal(cmd.kind, 'start')
  if (cmd.kind === 'start') t.equal(cmd.overrides.get('samsa.kafka.version'), '3.6')
})
