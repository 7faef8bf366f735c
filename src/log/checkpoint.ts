// Small per-partition checkpoint files (log start offset, recovery point), written atomically:
// temp file, fsync, rename, fsync of the directory. Offset checkpoints: a version line then the offset.
import { open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

const VERSION = '0'
let tmpCounter = 0

export async function readOffsetCheckpoint (dir: string, name: string): Promise<bigint | undefined> {
  const text = await readCheckpointFile(dir, name)
  if (text === undefined) return undefined
  const [version, value] = text.split('\n')
  if (version !== VERSION || value === undefined || !/^\d{1,19}$/.test(value)) return undefined
  return BigInt(value)
}

export async function writeOffsetCheckpoint (dir: string, name: string, offset: bigint): Promise<void> {
  await writeCheckpointFile(dir, name, `${VERSION}\n${offset}\n`)
}

/** The file's text, or undefined when it does not exist. */
export async function readCheckpointFile (dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Replaces the file with `text` so that a crash leaves either the old or the new content, never a mix. */
export async function writeCheckpointFile (dir: string, name: string, text: string): Promise<void> {
  const path = join(dir, name)
  // Unique per write so two writers can never rename each other's half-written file.
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  await rename(tmp, path)
  await syncDir(dir)
}

export async function syncDir (dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}
