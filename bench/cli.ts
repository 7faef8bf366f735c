// The samsa CLI as a user runs it: `samsa produce T < file` and `samsa consume T -e > /dev/null` as real
// processes against a real samsa, timed from spawn to exit (Node's boot included). Prints numbers;
// never asserts. Usage: node --import tsx bench/cli.ts [--quick]
import { spawn } from 'node:child_process'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnBroker, samsaBin } from '../compat-tests/harness.js'

const quick = process.argv.includes('--quick')
const records = quick ? 50_000 : 200_000
const valueBytes = 100

function run (args: string[], stdinFile?: string): Promise<{ ms: number, code: number | null, bytesOut: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(process.execPath, [samsaBin, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
    let bytesOut = 0
    child.stdout.on('data', (d: Buffer) => { bytesOut += d.length })
    if (stdinFile !== undefined) createReadStream(stdinFile).pipe(child.stdin)
    else child.stdin.end()
    child.once('error', reject)
    child.once('exit', code => resolve({ ms: Number(process.hrtime.bigint() - start) / 1e6, code, bytesOut }))
  })
}

async function main (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-cli-'))
  const broker = await spawnBroker()
  try {
    const input = join(dir, 'lines.txt')
    const out = createWriteStream(input)
    for (let i = 0; i < records; i++) out.write(`key-${i}:${'v'.repeat(valueBytes - String(i).length)}${i}\n`)
    await new Promise<void>(resolve => out.end(resolve))
    const b = ['--brokers', broker.bootstrap]
    for (const [topic, extra] of [['cli-plain', []], ['cli-zstd', ['-z', 'zstd']]] as Array<[string, string[]]>) {
      const created = await run(['topic', 'create', topic, '-p', '3', ...b])
      if (created.code !== 0) throw new Error(`topic create exited ${created.code}`)
      const p = await run(['produce', topic, '--key-delimiter', ':', ...extra, ...b], input)
      if (p.code !== 0) throw new Error(`produce exited ${p.code}`)
      const c = await run(['consume', topic, '-e', '-f', '%k:%v\\n', ...b])
      if (c.code !== 0) throw new Error(`consume exited ${c.code}`)
      const label = extra.length === 0 ? 'uncompressed' : extra.join(' ')
      const rate = (ms: number): string => `${Math.round(records / (ms / 1000)).toLocaleString('en-US')} rec/s`
      console.log(`samsa produce ${records.toLocaleString('en-US')} x ~${valueBytes} B lines (${label}, 3 partitions): ${p.ms.toFixed(0)} ms, ${rate(p.ms)}`)
      console.log(`samsa consume -e of them: ${c.ms.toFixed(0)} ms, ${rate(c.ms)}, ${(c.bytesOut / 1e6).toFixed(1)} MB printed`)
    }
  } finally {
    await broker.cleanup()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
