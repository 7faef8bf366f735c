// The metadata log: a single-voter stand-in for KRaft's __cluster_metadata partition. Each change is one
// record batch (so a multi-record change is atomic: recovery drops a torn batch whole), fsynced before it
// is applied to the image, and replayed in full at start-up.
import { join } from 'node:path'
import { PartitionLog } from '../log/partition-log.js'
import { encodeBatch, decodeBatches } from '../wire/records.js'
import { encodeMetadataRecord, decodeMetadataRecord } from './record-serde.js'
import { MetadataImage, type MetadataRecord } from './image.js'
import type { Logger } from '../server/logger.js'

export const METADATA_TOPIC = '__cluster_metadata'
/** The raft epoch a one-voter quorum runs in; written as each batch's partition leader epoch. */
const RAFT_EPOCH = 1
const READ_CHUNK = 1024 * 1024

export class MetadataLog {
  private constructor (private readonly log: PartitionLog, readonly image: MetadataImage) {}

  static async open (dataDir: string, logger: Logger): Promise<MetadataLog> {
    const log = await PartitionLog.open(join(dataDir, `${METADATA_TOPIC}-0`), { flushOnAppend: true, logger })
    const image = new MetadataImage()
    let offset = log.logStartOffset
    while (offset < log.logEndOffset) {
      const { records } = await log.read(offset, READ_CHUNK)
      if (records.length === 0) break
      for (const batch of await decodeBatches(records)) {
        for (const rec of batch.records) {
          if (rec.offset < offset) continue
          if (rec.value === null) throw new Error(`metadata record at offset ${rec.offset} has no value`)
          image.apply(decodeMetadataRecord(rec.value))
          image.lastOffset = rec.offset
          offset = rec.offset + 1n
        }
      }
    }
    return new MetadataLog(log, image)
  }

  /**
   * Persists the records as one batch, then applies them. Callers validate against the image and must not
   * interleave changes: the controller runs them one at a time.
   */
  async append (records: MetadataRecord[]): Promise<void> {
    if (records.length === 0) return
    const batch = await encodeBatch({
      records: records.map(r => ({ key: null, value: encodeMetadataRecord(r), headers: [] })),
      partitionLeaderEpoch: RAFT_EPOCH
    })
    const { lastOffset } = await this.log.append(batch, { leaderEpoch: RAFT_EPOCH })
    for (const r of records) this.image.apply(r)
    this.image.lastOffset = lastOffset
  }

  async close (): Promise<void> {
    await this.log.close()
  }
}
