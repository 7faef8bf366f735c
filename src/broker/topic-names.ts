// Kafka's topic name rules (org.apache.kafka.common.internals.Topic), with its error messages.

export const MAX_TOPIC_NAME_LENGTH = 249
const LEGAL = /^[a-zA-Z0-9._-]+$/

/** Returns why the name is illegal, or undefined when it is legal. */
export function topicNameError (name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty'
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."'
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`
  if (!LEGAL.test(name)) return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`
  return undefined
}

/** '.' and '_' collide in metric names, so Kafka refuses a topic that differs from another only by them. */
export function unifyCollisionChars (name: string): string {
  return name.replace(/\./g, '_')
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state', '__share_group_state'])
