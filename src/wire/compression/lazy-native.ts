// Native codec libraries are loaded on first use: each adds several MB of resident memory, and an idle
// broker (or one that only sees uncompressed batches) never needs them.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export function lazyNative<T> (name: string): () => T {
  let loaded: T | undefined
  return () => {
    loaded ??= require(name) as T
    return loaded
  }
}
