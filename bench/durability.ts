// Produce throughput through a real broker process under each samsa.log.durability policy, acks=all:
// first the librdkafka loadgen (bin/samsa.js with -o samsa.log.durability=..., 1 KiB records, batched
// as librdkafka does), then N concurrent producers of one-record batches over the raw client, which
// is the case group commit exists for. Then the crash test with more cycles.
// Usage: node --import tsx bench/durability.ts [seconds=5] [valueBytes=1024] [concurrency=32] [crashCycles=20] [--quick]
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, spawnBroker } from '../compat-tests/harness.js'
import { run } from '../compat-tests/tools.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { batch, createTopicsRaw, produce } from '../test/helpers/kafka.js'

// log-crash.test.ts loads tap, whose default 30 s timeout would end this longer run: lift it first
process.env.TAP_TIMEOUT = '0'
const { launch, crashCycles } = await import('../compat-tests/log-crash.test.js')

const quick = process.argv.includes('--quick')
const positional = process.argv.slice(2).filter(a => !a.startsWith('--'))
const seconds = Number(positional[0] ?? (quick ? 2 : 5))
const valueBytes = Number(positional[1] ?? 1024)
const concurrency = Number(positional[2] ?? 32)
const cycles = Number(positional[3] ?? (quick ? 5 : 20))
const loadgenRecords = quick ? 50_000 : 500_000

const loadgenDir = join(repoRoot, 'bench', 'loadgen')
if (!existsSync('/usr/include/librdkafka/rdkafka.h')) {
  console.log('durability (loadgen): skipped, librdkafka-dev is not installed')
} else {
  const make = spawnSync('make', ['-s', '-C', loadgenDir], { encoding: 'utf8', timeout: 120_000 })
  if (make.status !== 0) throw new Error(`make failed: ${make.stdout}${make.stderr}`)
  for (const policy of ['os', 'fsync']) {
    const broker = await spawnBroker({ args: ['-o', `samsa.log.durability=${policy}`] })
    try {
      const r = await run(join(loadgenDir, 'loadgen'), ['produce', '-b', broker.bootstrap, '-t', 'dur', '-n', String(loadgenRecords), '-s', String(valueBytes), '-a', '-1', '-T', '90'], { timeoutMs: 120_000 })
      const rep = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { records: number, seconds: number, records_per_s: number, mb_per_s: number, complete: boolean }
      console.log(`loadgen durability=${policy}: ${rep.records_per_s.toFixed(0)} records/s, ${rep.mb_per_s.toFixed(1)} MB/s (${rep.records} records of ${valueBytes} B in ${rep.seconds.toFixed(2)} s, acks=-1, 1 partition${rep.complete ? '' : ', INCOMPLETE'})`)
    } finally {
      await broker.cleanup()
    }
  }
}

for (const policy of ['os', 'fsync']) {
  const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-dur-'))
  const { child, port } = await launch(dir, policy)
  const c = await RawClient.connect(port)
  await createTopicsRaw(c, [{ name: 'bench', numPartitions: 4 }])
  const value = Buffer.alloc(valueBytes, 120)
  let records = 0
  const deadline = Date.now() + seconds * 1000
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: concurrency }, async (_, w) => {
    while (Date.now() < deadline) {
      const r = await produce(c, { topic: 'bench', partition: w % 4, records: await batch([{ key: null, value }]) })
      if (r.errorCode !== 0) throw new Error(`produce error ${r.errorCode}`)
      records++
    }
  }))
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(`one-record batches durability=${policy}: ${(records / secs).toFixed(0)} records/s, ${(records * valueBytes / secs / 1e6).toFixed(2)} MB/s (${valueBytes} B values, ${concurrency} in flight, 4 partitions, acks=all)`)
  await c.close()
  child.kill('SIGTERM')
  await new Promise(resolve => child.once('exit', resolve))
  await rm(dir, { recursive: true, force: true })
}

const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-crash-'))
const r = await crashCycles(dir, cycles, () => {})
console.log(`crash: cycles ${cycles}, records acknowledged ${r.acked.length}, records lost ${r.lost}, duplicates ${r.duplicates}, gaps ${r.gaps}`)
await rm(dir, { recursive: true, force: true })
