#!/usr/bin/env node
// Runs the compiled CLI (npm ci / npm run build write dist/); no TypeScript loader at run time keeps
// start-up fast.
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('samsa: dist/ is missing; run `npm ci` (or `npm run build`) first\n')
  process.exit(1)
}
const { main } = await import(entry.href)
main(process.argv.slice(2)).then(code => {
  if (code !== undefined) process.exitCode = code
}, err => {
  process.stderr.write(`samsa: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
