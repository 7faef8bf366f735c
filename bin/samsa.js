#!/usr/bin/env node
// Runs the compiled CLI (npm run build writes dist/); no TypeScript loader at run time keeps start-up fast.
import { main } from '../dist/cli/main.js'

main(process.argv.slice(2)).then(code => {
  if (code !== undefined) process.exitCode = code
}, err => {
  process.stderr.write(`samsa: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exitCode = 1
})
