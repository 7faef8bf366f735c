// Shared storage for the sparse offset and time indexes: fixed-size entries kept in memory (they are
// small: one entry per index.interval.bytes of log) and persisted to their file on flush, roll and close.
// Entries are only ever appended or cut from the end, so persisting writes just the changed tail.
import { open, readFile, rm, type FileHandle } from 'node:fs/promises'

export class IndexFile {
  private buf: Buffer
  private count = 0
  /** Entries [0, persisted) are known to be in the file as they are in memory. */
  private persisted = 0
  private fileEntries = -1
  private fh: FileHandle | undefined
  /** Set by close: a late flush (e.g. of a segment deleted meanwhile) must not recreate the file. */
  private shut = false

  constructor (public path: string, readonly entrySize: number, readonly maxEntries: number, initial?: Buffer) {
    if (initial !== undefined) {
      this.count = Math.floor(initial.length / entrySize)
      this.buf = Buffer.allocUnsafe(Math.max(this.count * entrySize, 64 * entrySize))
      initial.copy(this.buf, 0, 0, this.count * entrySize)
      this.persisted = this.count
      this.fileEntries = initial.length === this.count * entrySize ? this.count : -1
    } else {
      this.buf = Buffer.allocUnsafe(64 * entrySize)
    }
  }

  /** The file's bytes, or undefined when it does not exist. */
  static async readIfExists (path: string): Promise<Buffer | undefined> {
    try {
      return await readFile(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }

  get entries (): number { return this.count }
  get isFull (): boolean { return this.count >= this.maxEntries }
  get data (): Buffer { return this.buf }

  /** Reserves room for one more entry and returns its byte position in `data`. */
  protected grow (): number {
    const at = this.count * this.entrySize
    if (at + this.entrySize > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2)
      this.buf.copy(bigger, 0, 0, at)
      this.buf = bigger
    }
    this.count++
    return at
  }

  truncateToEntries (n: number): void {
    if (n >= this.count) return
    this.count = Math.max(0, n)
    if (this.persisted > this.count) this.persisted = this.count
  }

  reset (): void { this.truncateToEntries(0) }

  async persist (sync: boolean): Promise<void> {
    if (this.shut) return
    const dirty = this.persisted < this.count || this.fileEntries !== this.count
    if (!dirty && !sync) return
    if (this.fh === undefined) {
      this.fh = await open(this.path, 'r+').catch(async (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return await open(this.path, 'w+')
        throw err
      })
    }
    if (dirty) {
      const from = this.persisted * this.entrySize
      const to = this.count * this.entrySize
      let at = from
      while (at < to) {
        const { bytesWritten } = await this.fh.write(this.buf, at, to - at, at)
        at += bytesWritten
      }
      if (this.fileEntries !== this.count) await this.fh.truncate(to)
      this.persisted = this.count
      this.fileEntries = this.count
    }
    if (sync) await this.fh.datasync()
  }

  /** The file was renamed: later opens use the new name (an open handle follows the file by itself). */
  moveTo (path: string): void {
    this.path = path
  }

  async close (): Promise<void> {
    this.shut = true
    const fh = this.fh
    this.fh = undefined
    if (fh !== undefined) await fh.close()
  }

  async delete (): Promise<void> {
    await this.close()
    await rm(this.path, { force: true })
  }
}
