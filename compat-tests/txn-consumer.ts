// A read_committed kafkajs group consumer for the transaction compat tests: every value it receives
// from the start of a topic, once `until` holds for them and no more arrived for `quietMs`.
import type { Kafka } from 'kafkajs'

export async function readCommitted (kafka: Kafka, topic: string, until: (seen: string[]) => boolean, quietMs = 700, timeoutMs = 20_000): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `rc-${Math.random().toString(36).slice(2)}`, readUncommitted: false, sessionTimeout: 6000, rebalanceTimeout: 6000, heartbeatInterval: 300, maxWaitTimeInMs: 100 })
  const seen: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    let last = Date.now()
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); last = Date.now() } })
    const end = Date.now() + timeoutMs
    while (Date.now() < end && (!until(seen) || Date.now() - last < quietMs)) await new Promise(resolve => setTimeout(resolve, 50))
  } finally {
    await consumer.disconnect()
  }
  return seen
}
