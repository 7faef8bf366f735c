// gzip through node:zlib on the libuv pool. zlib's maxOutputLength stops inflation at the cap instead
// of materialising a bomb; concatenated members are inflated as one stream, as GZIPInputStream does.
import { gzip, gunzip } from 'node:zlib'
import { promisify } from 'node:util'
import { CompressionError, tooLarge } from './errors.js'

const CODEC = 1
const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip) as (data: Buffer, opts: { maxOutputLength: number }) => Promise<Buffer>

export async function compressGzip (data: Buffer): Promise<Buffer> {
  return gzipAsync(data)
}

export async function decompressGzip (data: Buffer, maxOutput: number): Promise<Buffer> {
  try {
    return await gunzipAsync(data, { maxOutputLength: Math.max(1, maxOutput) })
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(CODEC, maxOutput + 1, maxOutput)
    if (code === 'Z_BUF_ERROR') throw new CompressionError(CODEC, 'truncated', 'gzip stream ends early', { cause: err })
    throw new CompressionError(CODEC, 'corrupt', `invalid gzip data: ${(err as Error).message}`, { cause: err })
  }
}
