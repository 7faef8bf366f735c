// Produce and consume throughput of a real samsa process, driven by bench/loadgen (librdkafka).
// Prints a table; never asserts. Usage: node --import tsx bench/throughput.ts [--quick]
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, spawnBroker } from '../compat-tests/harness.js'
import { run } from '../compat-tests/tools.js'

const loadgenDir = join(repoRoot, 'bench', 'loadgen')
const loadgen = join(loadgenDir, 'loadgen')

interface Report {
  mode: string
  records: number
  bytes: number
  seconds: number
  records_per_s: number
  mb_per_s: number
  complete: boolean
}

interface Case {
  label: string
  records: number
  size: number
  partitions: number
}

const quick = process.argv.includes('--quick')
const cases: Case[] = quick
  ? [
      { label: '100 B', records: 100_000, size: 100, partitions: 1 },
      { label: '1 KiB', records: 30_000, size: 1024, partitions: 1 },
    ]
  : [
      { label: '100 B', records: 1_000_000, size: 100, partitions: 1 },
      { label: '1 KiB', records: 300_000, size: 1024, partitions: 1 },
      { label: '1 KiB, 3 partitions', records: 300_000, size: 1024, partitions: 3 },
    ]
// each loadgen run stops by itself at this bound
const perRunSeconds = 90

function buildLoadgen(): string | null {
  if (!existsSync('/usr/include/librdkafka/rdkafka.h')) return 'librdkafka-dev is not installed (apt-get install librdkafka-dev)'
  const r = spawnSync('make', ['-s', '-C', loadgenDir], { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) return `make failed:\n${r.stdout}${r.stderr}`
  return null
}

async function loadgenRun(args: string[]): Promise<Report> {
  const r = await run(loadgen, args, { timeoutMs: (perRunSeconds + 30) * 1000 })
  const line = r.stdout.trim().split('\n').pop() ?? ''
  let rep: Report
  try {
    rep = JSON.parse(line) as Report
  } catch {
    throw new Error(`loadgen ${args[0]} printed no report (exit ${r.code}):\n${r.stderr.slice(-2000)}`)
  }
  if (!rep.complete) process.stderr.write(`warning: loadgen ${args[0]} incomplete:\n${r.stderr.slice(-2000)}\n`)
  return rep
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
}

export async function throughput(): Promise<void> {
  const why = buildLoadgen()
  if (why) {
    console.log(`throughput: skipped, ${why}`)
    return
  }
  const rows: string[][] = []
  for (const c of cases) {
    // a fresh broker per case, so one case's segments and page cache do not favour the next
    const broker = await spawnBroker({ args: ['--num-partitions', String(c.partitions)] })
    try {
      const topic = `bench-${c.size}-${c.partitions}`
      const common = ['-b', broker.bootstrap, '-t', topic, '-T', String(perRunSeconds)]
      const p = await loadgenRun(['produce', ...common, '-n', String(c.records), '-s', String(c.size)])
      const k = await loadgenRun(['consume', ...common, '-n', String(p.records)])
      for (const [mode, r] of [
        ['produce', p],
        ['consume', k],
      ] as const) {
        rows.push([
          c.label,
          mode,
          fmt(r.records),
          fmt(r.seconds, 2),
          fmt(r.records_per_s),
          fmt(r.mb_per_s, 1),
          r.complete ? '' : 'incomplete',
        ])
      }
    } finally {
      await broker.cleanup()
    }
  }
  const head = ['records', 'mode', 'count', 'seconds', 'records/s', 'MB/s', '']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => r.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd()
  console.log('throughput (librdkafka loadgen, acks=1, no compression, one broker on loopback; MB = 10^6 value bytes)')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  ').trimEnd())
  for (const r of rows) console.log(line(r))
}

if (import.meta.url === `file://${process.argv[1]}`) {
  throughput().catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
}
