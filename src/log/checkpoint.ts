// Small per-partition checkpoint files (log start offset, recovery point), written atomically:
// temp file, fsync, rename, fsync of the directory. Format: a version line then the offset.
import { open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'

const VERSION = '0'
let tmpCounter = 0

export async function readOffsetCheckpoint (dir: string, name: string): Promise<bigint | undefined> {
  let text: string
  try {
    text = await readFile(join(dir, name), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  const [version, value] = text.split('\n')
  if (version !== VERSION || value === undefined || !/^\d{1,19}$/.test(value)) return undefined
  return BigInt(value)
}

export async function writeOffsetCheckpoint (dir: string, name: string, offset: bigint): Promise<void> {
  const path = join(dir, name)
  // Unique per write so two writers can never rename each other's half-written file.
  const tmp = `${path}.${process.pid}.${++tmpCounter}.tmp`
  const fh = await open(tmp, 'w')
  try {
    await fh.writeFile(`${VERSION}\n${offset}\n`)
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
