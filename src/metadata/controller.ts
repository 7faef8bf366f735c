// The single writer of cluster metadata. Changes run one after another (validate against the image, write
// the records, apply them), so two concurrent CreateTopics for one name cannot both pass validation.
import type { MetadataLog } from './metadata-log.js'
import type { MetadataImage, MetadataRecord } from './image.js'

export class Controller {
  private tail: Promise<unknown> = Promise.resolve()

  constructor (private readonly metadata: MetadataLog) {}

  get image (): MetadataImage { return this.metadata.image }

  /**
   * Runs `plan` exclusively: it inspects the image and returns the records to write plus a result. The
   * records are persisted and applied before the result is returned.
   */
  run<T> (plan: (image: MetadataImage) => { records: MetadataRecord[], result: T } | Promise<{ records: MetadataRecord[], result: T }>): Promise<T> {
    const next = this.tail.then(async () => {
      const { records, result } = await plan(this.metadata.image)
      await this.metadata.append(records)
      return result
    })
    this.tail = next.catch(() => {})
    return next
  }

  /** Waits for queued changes, for shutdown. */
  async drain (): Promise<void> {
    await this.tail
  }
}
