// Produce throughput through a real broker process under each samsa.log.durability policy, acks=all,
// N concurrent producers of one-record batches. Then the crash test with more cycles.
// Usage: node --import tsx bench/durability.ts [seconds=5] [valueBytes=1024] [concurrency=32] [crashCycles=20]
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { launch, crashCycles } from '../compat-tests/log-crash.test.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { batch, createTopicsRaw, produce } from '../test/helpers/kafka.js'

const seconds = Number(process.argv[2] ?? 5)
const valueBytes = Number(process.argv[3] ?? 1024)
const concurrency = Number(process.argv[4] ?? 32)
const cycles = Number(process.argv[5] ?? 20)

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
  console.log(`durability=${policy}: ${(records / secs).toFixed(0)} records/s, ${(records * valueBytes / secs / 1e6).toFixed(2)} MB/s (${valueBytes} B values, ${concurrency} in flight, 4 partitions, acks=all)`)
  await c.close()
  child.kill('SIGTERM')
  await new Promise(resolve => child.once('exit', resolve))
  await rm(dir, { recursive: true, force: true })
}

const dir = await mkdtemp(join(tmpdir(), 'samsa-bench-crash-'))
const r = await crashCycles(dir, cycles, () => {})
console.log(`crash: cycles ${cycles}, records acknowledged ${r.acked.length}, records lost ${r.lost}, duplicates ${r.duplicates}, gaps ${r.gaps}`)
await rm(dir, { recursive: true, force: true })
