#!/usr/bin/env node
// `npm run bench`: runs each benchmark in its own Node process (tsx loader) and lets it print its
// numbers. Arguments pick benchmarks by name (see `all`); --quick shrinks the longer ones.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const all = ['startup', 'startup-partitions', 'throughput', 'durability', 'groups', 'log', 'log-compaction', 'codecs', 'cli']
const args = process.argv.slice(2)
const flags = args.filter((a) => a.startsWith('--'))
const picked = args.filter((a) => !a.startsWith('--'))
const unknown = picked.filter((n) => !all.includes(n))
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')} (have: ${all.join(', ')})`)
  process.exit(64)
}

let failed = 0
for (const name of picked.length ? picked : all) {
  console.log(`\n== ${name}`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`), ...flags], {
    stdio: 'inherit',
    cwd: join(here, '..'),
  })
  if (r.status !== 0) {
    console.error(`${name}: exited with ${r.status ?? r.signal}`)
    failed++
  }
}
process.exitCode = failed ? 1 : 0
