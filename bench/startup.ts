// Start-up time and idle memory of a real samsa process. Start-up is measured from spawn to the
// first answer to a raw ApiVersions v0 request (retried until one comes), so it includes Node's
// own boot; memory is VmRSS from /proc after the broker has idled briefly, on an empty data dir and
// on one holding data. Prints numbers; never asserts. Usage: node --import tsx bench/startup.ts
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { samsaBin } from '../compat-tests/harness.js'
import { requestApiVersions } from '../compat-tests/api-versions.js'
import { makeKafka } from '../compat-tests/kafkajs-client.js'

const runs = 5
const host = '127.0.0.1'

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status)
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(m[1])
}

interface Started {
  child: ChildProcess
  port: number
  msToAnswer: number
  stderr: () => string
}

async function startAndTime(dataDir: string): Promise<Started> {
  const port = await freePort()
  let err = ''
  const t0 = process.hrtime.bigint()
  const child = spawn(process.execPath, [samsaBin, 'start', '--host', host, '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-8000)))
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`samsa exited with ${child.exitCode}: ${err}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`no ApiVersions answer within 20 s: ${err}`)
    }
    try {
      const a = await requestApiVersions(host, port, 1000)
      if (a.errorCode !== 0) throw new Error(`ApiVersions error ${a.errorCode}`)
      break
    } catch {
      await sleep(2)
    }
  }
  const msToAnswer = Number(process.hrtime.bigint() - t0) / 1e6
  return { child, port, msToAnswer, stderr: () => err }
}

async function stop(s: Started): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r))
  s.child.kill('SIGTERM')
  await Promise.race([exited, sleep(10_000)])
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL')
}

/** Fill a data dir with some topics and records through kafkajs (no native build needed). */
async function fill(port: number): Promise<string> {
  const kafka = makeKafka(`${host}:${port}`)
  const admin = kafka.admin()
  await admin.connect()
  const topics = Array.from({ length: 10 }, (_, i) => `startup-${i}`)
  await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 3 })), waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer({ idempotent: false })
  await producer.connect()
  const value = Buffer.alloc(1024, 'x')
  let records = 0
  for (const topic of topics) {
    for (let b = 0; b < 10; b++) {
      await producer.send({ topic, acks: 1, messages: Array.from({ length: 500 }, (_, i) => ({ key: `k${i}`, value })) })
      records += 500
    }
  }
  await producer.disconnect()
  return `${topics.length} topics × 3 partitions, ${records.toLocaleString('en-US')} records of 1 KiB`
}

function stats(xs: number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  return `mean ${mean.toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}; ${xs.length} runs)`
}

export async function startup(): Promise<void> {
  const empty: number[] = []
  let emptyRss = 0
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(join(tmpdir(), 'samsa-startup-'))
    try {
      const s = await startAndTime(dir)
      empty.push(s.msToAnswer)
      if (i === runs - 1) {
        await sleep(1000)
        emptyRss = await rssKiB(s.child.pid!)
      }
      await stop(s)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }

  const dir = await mkdtemp(join(tmpdir(), 'samsa-startup-data-'))
  try {
    const first = await startAndTime(dir)
    const what = await fill(first.port)
    await sleep(500)
    const rssAfterLoad = await rssKiB(first.child.pid!)
    await stop(first)
    const withData: number[] = []
    let dataRss = 0
    for (let i = 0; i < runs; i++) {
      const s = await startAndTime(dir)
      withData.push(s.msToAnswer)
      if (i === runs - 1) {
        await sleep(1000)
        dataRss = await rssKiB(s.child.pid!)
      }
      await stop(s)
    }
    console.log('startup (spawn → first ApiVersions v0 answer, includes Node boot)')
    console.log(`  empty data dir:     ${stats(empty)}`)
    console.log(`  with data:          ${stats(withData)}  [${what}]`)
    console.log('idle RSS (VmRSS, 1 s after start)')
    console.log(`  empty data dir:     ${(emptyRss / 1024).toFixed(1)} MiB`)
    console.log(`  restarted on data:  ${(dataRss / 1024).toFixed(1)} MiB`)
    console.log(`  right after writing the data: ${(rssAfterLoad / 1024).toFixed(1)} MiB`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startup().catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
}
