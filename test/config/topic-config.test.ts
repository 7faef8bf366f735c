import t from 'tap'
import { validateTopicConfigs, topicConfigDef, TOPIC_CONFIGS } from '../../src/config/topic-config.js'
import { ConfigError, parseValue } from '../../src/config/config-def.js'

const v = (o: Record<string, string | null>): Map<string, unknown> => validateTopicConfigs(Object.entries(o))

t.test('valid overrides are parsed to typed values', async t => {
  const out = v({ 'retention.ms': '1000', 'cleanup.policy': 'compact,delete', 'max.message.bytes': '500', 'compression.type': 'zstd', preallocate: 'true', 'min.cleanable.dirty.ratio': '0.25' })
  t.same([...out], [['retention.ms', 1000n], ['cleanup.policy', ['compact', 'delete']], ['max.message.bytes', 500], ['compression.type', 'zstd'], ['preallocate', true], ['min.cleanable.dirty.ratio', 0.25]])
})

t.test('validation messages in Kafka\'s words', async t => {
  t.throws(() => v({ 'retention.mss': '1' }), { name: 'ConfigError', message: 'Unknown topic config name: retention.mss' })
  t.throws(() => v({ 'retention.ms': null }), /Null value not supported for topic configs: retention.ms/)
  t.throws(() => v({ 'retention.ms': 'soon' }), { message: 'Invalid value soon for configuration retention.ms: Not a number of type LONG' })
  t.throws(() => v({ 'retention.ms': '-2' }), { message: 'Invalid value -2 for configuration retention.ms: Value must be at least -1' })
  t.throws(() => v({ 'max.message.bytes': '1e3' }), { message: 'Invalid value 1e3 for configuration max.message.bytes: Not a number of type INT' })
  t.throws(() => v({ 'segment.bytes': '1000' }), { message: 'Invalid value 1000 for configuration segment.bytes: Value must be at least 1048576' })
  t.throws(() => v({ 'compression.type': 'brotli' }), { message: 'Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer' })
  t.throws(() => v({ 'message.timestamp.type': 'Whenever' }), /String must be one of: CreateTime, LogAppendTime/)
  // Kafka 4.x ValidList.in(true, ...): each item checked by ValidString; duplicates and empty items refused.
  t.throws(() => v({ 'cleanup.policy': 'compact,forever' }), { message: 'Invalid value forever for configuration cleanup.policy: String must be one of: compact, delete' })
  t.throws(() => v({ 'cleanup.policy': 'compact,compact' }), { message: "Configuration 'cleanup.policy' values must not be duplicated." })
  t.throws(() => v({ 'cleanup.policy': 'compact,' }), { message: "Configuration 'cleanup.policy' values must not be empty." })
  t.same([...v({ 'cleanup.policy': '' })], [['cleanup.policy', []]], 'an empty policy is allowed')
  t.throws(() => v({ 'retention.ms': ' -2 ' }), { message: 'Invalid value -2 for configuration retention.ms: Value must be at least -1' })
  t.throws(() => v({ preallocate: 'maybe' }), /Expected value to be either true or false/)
  t.throws(() => v({ 'compression.gzip.level': '10' }), /Value must be no more than 9/)
  t.same([...v({ 'compression.gzip.level': '-1' })], [['compression.gzip.level', -1]], 'gzip level -1 is the codec default')
  t.throws(() => v({ 'min.cleanable.dirty.ratio': 'half' }), /Not a number of type DOUBLE/)
})

t.test('ratio range message matches Kafka\'s Range validator', async t => {
  // Range.ensureValid gets the parsed Double, so the message prints it as Double.toString does.
  t.throws(() => v({ 'min.cleanable.dirty.ratio': '2' }), { message: 'Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1' })
  t.throws(() => v({ 'min.cleanable.dirty.ratio': '1e9' }), { message: 'Invalid value 1.0E9 for configuration min.cleanable.dirty.ratio: Value must be no more than 1' })
  t.same([...v({ 'min.cleanable.dirty.ratio': '0.25d' })], [['min.cleanable.dirty.ratio', 0.25]], 'Double.parseDouble takes a d suffix')
  t.throws(() => v({ 'min.cleanable.dirty.ratio': '0x1' }), /Not a number of type DOUBLE/)
  t.throws(() => v({ 'min.cleanable.dirty.ratio': '-0.5' }), { message: 'Invalid value -0.5 for configuration min.cleanable.dirty.ratio: Value must be at least 0' })
})

t.test('every default parses and passes its own validation', async t => {
  for (const def of TOPIC_CONFIGS) {
    if (def.default === null) continue
    t.doesNotThrow(() => parseValue(def, def.default!), def.name)
  }
  t.equal(topicConfigDef('max.message.bytes')!.brokerSynonym, 'message.max.bytes')
  t.equal(topicConfigDef('nope'), undefined)
  t.ok(new ConfigError('x') instanceof Error)
})
