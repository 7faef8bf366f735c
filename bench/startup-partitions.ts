// Start-up time and memory of a samsa process whose data dir holds many partitions and GBs of data.
// The data is made in bounded time: the broker creates the topics (so the metadata log knows them),
// the C loadgen fills one seed partition with 1 MiB segments, the broker stops cleanly, and the seed's
// segments, indexes and checkpoints (clean-shutdown marker included) are copied into every partition
// directory. Each partition is then a clean log of the same offsets, as after a clean shutdown.
// The copies are fresh in the page cache (the machine has RAM to spare), so these are warm starts.
// Usage: node --import tsx bench/startup-partitions.ts [partitions=1000] [MiBPerPartition=3] [runs=3]
import { spawn, spawnSync } from 'node:child_process'
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, samsaBin, spawnBroker } from '../compat-tests/harness.js'
import { requestApiVersions } from '../compat-tests/api-versions.js'
import { makeKafka } from '../compat-tests/kafkajs-client.js'
import { run } from '../compat-tests/tools.js'

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const partitions = Number(positional[0] ?? 1000)
const mibPerPartition = Number(positional[1] ?? 3)
const runs = Number(positional[2] ?? 3)
const host = '127.0.0.1'
const topic = 'many'
const seed = 'seed'
const loadgenDir = join(repoRoot, 'bench', 'loadgen')
const loadgen = join(loadgenDir, 'loadgen')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

async function rssMiB(pid: number): Promise<number> {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))
  if (!m) throw new Error(`no VmRSS for ${pid}`)
  return Number(m[1]) / 1024
}

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!)
  }))
}

/** The data dir: `partitions` partitions of `mibPerPartition` MiB each, all cleanly shut down. */
async function makeDataDir(dir: string): Promise<{ records: number; bytes: number }> {
  const broker = await spawnBroker({ dataDir: dir, args: ['-o', `log.segment.bytes=${1 << 20}`], readyTimeoutMs: 60_000 })
  try {
    const admin = makeKafka(broker.bootstrap, { requestTimeout: 60_000 }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }, { topic: seed, numPartitions: 1 }], timeout: 60_000 })
    await admin.disconnect()
    const records = Math.floor((mibPerPartition * (1 << 20)) / 1100)
    const r = await run(loadgen, ['produce', '-b', broker.bootstrap, '-t', seed, '-n', String(records), '-s', '1024', '-a', '-1', '-T', '60'], { timeoutMs: 90_000 })
    if (r.code !== 0) throw new Error(`loadgen produce failed: ${r.stderr.slice(-2000)}`)
  } finally {
    await broker.stop()
  }
  const seedDir = join(dir, `${seed}-0`)
  const files = (await readdir(seedDir)).filter((f) => f !== 'partition.metadata')
  if (!files.includes('.clean-shutdown')) throw new Error(`the seed partition was not shut down cleanly: ${files.join(' ')}`)
  const targets = Array.from({ length: partitions }, (_, i) => join(dir, `${topic}-${i}`))
  await pool(targets, 8, async (target) => {
    for (const f of await readdir(target)) if (f !== 'partition.metadata') await rm(join(target, f))
    for (const f of files) await copyFile(join(seedDir, f), join(target, f))
  })
  const du = spawnSync('du', ['-sb', dir], { encoding: 'utf8' })
  const bytes = Number(du.stdout.split('\t')[0])
  return { records: Math.floor((mibPerPartition * (1 << 20)) / 1100), bytes }
}

interface Start { readyMs: number; answerMs: number; rssMiB: number; highs: number[] }

async function timeStart(dir: string): Promise<Start> {
  const port = await freePort()
  let err = ''
  let out = ''
  const t0 = process.hrtime.bigint()
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6
  const child = spawn(process.execPath, [samsaBin, 'start', '--host', host, '--port', String(port), '--data-dir', dir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-8000)))
  let readyMs = -1
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d
    if (readyMs < 0 && out.includes('samsa ready on')) readyMs = ms()
  })
  try {
    const deadline = Date.now() + 120_000
    let answerMs = -1
    while (answerMs < 0) {
      if (child.exitCode !== null) throw new Error(`samsa exited with ${child.exitCode}: ${err}`)
      if (Date.now() > deadline) throw new Error(`no ApiVersions answer within 120 s: ${err}`)
      try {
        const a = await requestApiVersions(host, port, 1000)
        if (a.errorCode === 0) answerMs = ms()
      } catch {
        await sleep(5)
      }
    }
    while (readyMs < 0) await sleep(5)
    await sleep(1000)
    const rss = await rssMiB(child.pid!)
    // every partition must have come back whole: the high watermarks are the seed's
    const admin = makeKafka(`${host}:${port}`, { requestTimeout: 30_000 }).admin()
    await admin.connect()
    const highs = (await admin.fetchTopicOffsets(topic)).map((p) => Number(p.high))
    await admin.disconnect()
    return { readyMs, answerMs, rssMiB: rss, highs }
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    // unref'd, so a quick exit does not leave this process waiting out the timer
    await Promise.race([exited, new Promise((r) => setTimeout(r, 60_000).unref())])
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

export async function startupPartitions(): Promise<void> {
  if (!existsSync('/usr/include/librdkafka/rdkafka.h')) {
    console.log('startup-partitions: skipped, librdkafka-dev is not installed')
    return
  }
  const make = spawnSync('make', ['-s', '-C', loadgenDir], { encoding: 'utf8', timeout: 120_000 })
  if (make.status !== 0) throw new Error(`make failed: ${make.stdout}${make.stderr}`)
  const dir = await mkdtemp(join(tmpdir(), 'samsa-startup-parts-'))
  try {
    const t0 = Date.now()
    const { records, bytes } = await makeDataDir(dir)
    const made = (Date.now() - t0) / 1000
    const starts: Start[] = []
    for (let i = 0; i < runs; i++) starts.push(await timeStart(dir))
    const bad = starts.flatMap((s) => s.highs).filter((h) => h !== records)
    if (starts[0]!.highs.length !== partitions || bad.length) {
      throw new Error(`after restart ${starts[0]!.highs.length} partitions, ${bad.length} with a high watermark other than ${records}`)
    }
    const f = (xs: number[], d = 0) => `mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(d)} (min ${Math.min(...xs).toFixed(d)}, max ${Math.max(...xs).toFixed(d)})`
    console.log(`startup with ${partitions.toLocaleString('en-US')} partitions, ${(bytes / 2 ** 30).toFixed(2)} GiB on disk (${mibPerPartition} × 1 MiB segments of 1 KiB records each; data made in ${made.toFixed(1)} s), clean shutdown, ${runs} runs`)
    console.log(`  spawn → ready line:             ${f(starts.map((s) => s.readyMs))} ms`)
    console.log(`  spawn → first ApiVersions answer: ${f(starts.map((s) => s.answerMs))} ms`)
    console.log(`  RSS 1 s after start:            ${f(starts.map((s) => s.rssMiB), 1)} MiB`)
    console.log(`  every partition reopened with its ${records.toLocaleString('en-US')} records`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startupPartitions().catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
}
