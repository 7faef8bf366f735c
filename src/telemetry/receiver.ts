// samsa's telemetry receiver (Kafka's ClientTelemetryReceiver role, enabled by samsa.telemetry.dir): each
// accepted push is decompressed, decoded from OTLP and appended as one JSON line to
// <dir>/<clientInstanceId>.jsonl, so a client author can see exactly what their client sent.
// Failures map as Kafka's ClientMetricsManager maps an exporter's: a payload that decompresses past
// telemetry.max.bytes is TelemetryTooLargeError, anything undecodable an ordinary error (INVALID_RECORD).
import { appendFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { decompress, CompressionError, CODEC_NAMES, DEFAULT_MAX_DECOMPRESSED_BYTES } from '../wire/compression/index.js'
import type { Logger } from '../server/logger.js'
import { decodeMetricsData, type DecodedMetric } from './otlp.js'
import { TelemetryTooLargeError, type ClientInfo, type ClientInstance, type Exporter, type PushRequest } from './client-metrics-manager.js'

export interface TelemetryLine {
  time: string
  clientInstanceId: string
  clientId: string | null
  softwareName: string
  softwareVersion: string
  subscriptionId: number
  terminating: boolean
  metrics: DecodedMetric[]
}

export class TelemetryReceiver {
  private ready: Promise<void> | undefined

  constructor (readonly dir: string, private readonly maxBytes: number, private readonly log: Logger) {}

  /** Creates the directory, so a bad samsa.telemetry.dir stops start-up instead of failing every push. */
  async init (): Promise<void> {
    await mkdir(this.dir, { recursive: true })
  }

  /** The path pushes of `clientInstanceId` are appended to (ids are base64url, safe as file names). */
  fileFor (clientInstanceId: string): string {
    return join(this.dir, `${clientInstanceId}.jsonl`)
  }

  readonly export: Exporter = async (instance: ClientInstance, req: PushRequest, client: ClientInfo) => {
    try {
      await this.write(instance, req, client)
    } catch (e) {
      this.log.warn({ clientInstanceId: instance.id, clientId: client.clientId, err: (e as Error).message }, 'client telemetry not exported')
      throw e
    }
  }

  private async write (instance: ClientInstance, req: PushRequest, client: ClientInfo): Promise<void> {
    let payload: Buffer
    try {
      // The codecs refuse by a worst-case bound of the output, which for a small telemetry.max.bytes would
      // refuse ordinary payloads; Kafka refuses by the actual size, so the cap here only bounds memory.
      payload = await decompress(req.compressionType, req.metrics, Math.max(this.maxBytes, DEFAULT_MAX_DECOMPRESSED_BYTES))
    } catch (e) {
      if (e instanceof CompressionError && e.reason === 'too-large') throw new TelemetryTooLargeError(e.message)
      throw e
    }
    if (payload.length > this.maxBytes) throw new TelemetryTooLargeError(`decompressed size ${payload.length} exceeds telemetry.max.bytes ${this.maxBytes}`)
    const metrics = decodeMetricsData(payload)
    const line: TelemetryLine = {
      time: new Date().toISOString(),
      clientInstanceId: instance.id,
      clientId: client.clientId,
      softwareName: client.softwareName,
      softwareVersion: client.softwareVersion,
      subscriptionId: req.subscriptionId,
      terminating: req.terminating,
      metrics
    }
    // Again here, in case the directory was removed while the broker ran.
    this.ready ??= mkdir(this.dir, { recursive: true }).then(() => {}, e => { this.ready = undefined; throw e })
    await this.ready
    await appendFile(this.fileFor(instance.id), JSON.stringify(line) + '\n')
    this.log.debug({ clientInstanceId: instance.id, clientId: client.clientId, compression: CODEC_NAMES[req.compressionType], bytes: req.metrics.length, metrics: metrics.length, terminating: req.terminating }, 'client telemetry received')
  }
}
