// Crash test: a real samsa process (bench/log-server.ts, samsa.log.durability=fsync) under continuous
// acks=all produce is killed with SIGKILL at random moments and restarted on the same data dir. Every
// acknowledged record must be there afterwards at its offset, offsets contiguous, nothing duplicated.
// CYCLES (env LOG_CRASH_CYCLES) is small here to keep the test short; bench/durability.ts runs more.
import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './harness.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { batch, createTopicsRaw, fetchOne, produce } from '../test/helpers/kafka.js'

const CYCLES = Number(process.env.LOG_CRASH_CYCLES ?? 6)

export async function launch (dir: string, durability = 'fsync'): Promise<{ child: ChildProcess, port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'log-server.ts'), dir, durability], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] })
  const port = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /ready (\d+)/.exec(out)
      if (m !== null) resolve(Number(m[1]))
    })
    child.once('exit', code => reject(new Error(`log-server exited with ${code} before ready`)))
  })
  return { child, port }
}

interface Acked { offset: bigint, value: string }

export async function crashCycles (dir: string, cycles: number, log: (s: string) => void): Promise<{ acked: Acked[], lost: number, duplicates: number, gaps: number, total: bigint }> {
  const acked: Acked[] = []
  for (let cycle = 0; cycle < cycles; cycle++) {
    const { child, port } = await launch(dir)
    const exited = new Promise(resolve => child.once('exit', resolve))
    const c = await RawClient.connect(port)
    if (cycle === 0) await createTopicsRaw(c, [{ name: 'crash' }])
    let stop = false
    let i = 0
    const worker = async (): Promise<void> => {
      while (!stop) {
        const value = `c${cycle}-${i++}`
        try {
          const r = await produce(c, { topic: 'crash', records: await batch([{ key: null, value: Buffer.from(value) }]) })
          if (r.errorCode === 0) acked.push({ offset: r.baseOffset, value })
        } catch {
          return // the connection died with the process: unacknowledged
        }
      }
    }
    const workers = [worker(), worker(), worker(), worker()]
    await new Promise(resolve => setTimeout(resolve, 150 + Math.random() * 600))
    child.kill('SIGKILL')
    stop = true
    await exited
    await Promise.all(workers)
    await c.close()
    log(`cycle ${cycle + 1}: ${acked.length} acknowledged so far`)
  }
  // Verify on a last, clean start.
  const { child, port } = await launch(dir)
  const c = await RawClient.connect(port)
  const seen = new Map<bigint, string>()
  let at = 0n
  let gaps = 0
  let duplicates = 0
  const values = new Set<string>()
  for (;;) {
    const { partition, batches } = await fetchOne(c, { topic: 'crash', offset: at })
    if (batches.length === 0) break
    for (const b of batches) {
      for (const r of b.records) {
        if (r.offset !== at) gaps++
        const v = r.value!.toString()
        if (values.has(v)) duplicates++
        values.add(v)
        seen.set(r.offset, v)
        at = r.offset + 1n
      }
    }
    if (at >= partition.highWatermark) break
  }
  const lost = acked.filter(a => seen.get(a.offset) !== a.value).length
  await c.close()
  child.kill('SIGTERM')
  await new Promise(resolve => child.once('exit', resolve))
  return { acked, lost, duplicates, gaps, total: at }
}

if (process.argv[1]?.endsWith('log-crash.test.ts')) {
  t.test('SIGKILL under acks=all produce with samsa.log.durability=fsync loses nothing acknowledged', async t => {
    const dir = await mkdtemp(join(tmpdir(), 'samsa-crash-'))
    t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })
    const r = await crashCycles(dir, CYCLES, s => t.comment(s))
    t.comment(`cycles ${CYCLES}, records acknowledged ${r.acked.length}, records in log ${r.total}, records lost ${r.lost}`)
    t.ok(r.acked.length > 0, 'something was acknowledged')
    t.equal(r.lost, 0, 'records lost')
    t.equal(r.duplicates, 0, 'duplicates')
    t.equal(r.gaps, 0, 'offsets contiguous')
  })
}
