// Producer id allocation as KRaft does it: the controller hands out blocks of 1000 ids by writing a
// ProducerIdsRecord (next free id) to the metadata log, so ids are never reused across restarts; the
// broker serves ids from its current block and asks for the next block when it runs out.
import type { Controller } from '../metadata/controller.js'
import { ErrorCode } from '../wire/generated/errors.js'

export const PRODUCER_ID_BLOCK_SIZE = 1000n
const LONG_MAX = 0x7fffffffffffffffn

export class ProducerIdsExhaustedError extends Error {
  readonly errorCode = ErrorCode.UNKNOWN_SERVER_ERROR
}

export class ProducerIdManager {
  private next = 0n
  private end = 0n
  private pending: Promise<void> | null = null

  constructor (private readonly controller: Controller, private readonly brokerId: number) {}

  async generate (): Promise<bigint> {
    while (this.next >= this.end) {
      this.pending ??= this.allocateBlock().finally(() => { this.pending = null })
      await this.pending
    }
    return this.next++
  }

  /** ProducerIdControlManager.generateNextProducerId: one block from the image's next producer id. */
  private async allocateBlock (): Promise<void> {
    const block = await this.controller.run(image => {
      const start = image.nextProducerId
      if (start > LONG_MAX - PRODUCER_ID_BLOCK_SIZE) throw new ProducerIdsExhaustedError('Exhausted all producerIds as the next block\'s end producerId has exceeded the int64 type limit')
      const end = start + PRODUCER_ID_BLOCK_SIZE
      return { records: [{ type: 'ProducerIdsRecord', data: { brokerId: this.brokerId, brokerEpoch: -1n, nextProducerId: end } }], result: { start, end } }
    })
    this.next = block.start
    this.end = block.end
  }
}
