// Every codec, produced by one client and read back by others: librdkafka (kcat -z and
// confluent-kafka-python compression.type), kafkajs with codec plugins, kafka-python. The broker
// stores the producer's batches as they are, so each reader must decompress what the writer
// compressed; kafkajs's codec counters show the batches were still compressed when served.
import t from 'tap'
import { CompressionTypes, type Producer } from 'kafkajs'
import { startBroker, type Broker } from './harness.js'
import { haveKcat, havePythonModule } from './tools.js'
import { kcatConsume, kcatProduce, pyConsume, pyProduce } from './clients.js'
import {
  kafkajsCodecCalls,
  kafkajsHeaders,
  kafkajsReadAll,
  makeKafka,
  registerKafkajsCodecs,
  type CodecName,
} from './kafkajs-client.js'
import { checkPartition, fixedHeaders, makeRecords, uniqueTopic } from './records.js'
import { FIND_COORDINATOR, requestApiVersions } from './api-versions.js'

const codecs: CodecName[] = ['gzip', 'snappy', 'lz4', 'zstd']
const kafkajsType: Record<CodecName, CompressionTypes> = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

registerKafkajsCodecs()

async function readWithKafkajs(broker: Broker, topic: string, codec: CodecName) {
  const before = kafkajsCodecCalls[codec].decompress
  const got = await kafkajsReadAll(makeKafka(broker.bootstrap), topic, [0])
  return { got, decompressed: kafkajsCodecCalls[codec].decompress - before }
}

t.test('compression codecs across clients', async (t) => {
  const noKcat = haveKcat() ? false : 'kcat is not installed'
  const noConfluent = havePythonModule('confluent_kafka') ? false : 'python3-confluent-kafka is not installed'
  const noKafkaPython = havePythonModule('kafka') ? false : 'python3-kafka is not installed'
  const broker = await startBroker(t)
  // librdkafka enables its LZ4 "feature" only when the broker advertises FindCoordinator (a proxy
  // for "Kafka >= 0.8.2" in rdkafka_feature.c) and otherwise sends lz4 batches uncompressed. Until
  // samsa serves FindCoordinator that check is a known gap, reported as todo; afterwards it binds.
  const advertised = await requestApiVersions(broker.host, broker.port)
  const rdkafkaLz4 = advertised.apis.some((a) => a.apiKey === FIND_COORDINATOR)
  const stillCompressed = (codec: CodecName, viaRdkafka: boolean) =>
    viaRdkafka && codec === 'lz4' && !rdkafkaLz4
      ? { todo: 'librdkafka sends lz4 uncompressed to a broker that does not advertise FindCoordinator' }
      : {}
  const kafka = makeKafka(broker.bootstrap)
  const producer: Producer = kafka.producer({ idempotent: false })
  await producer.connect()
  t.teardown(() => producer.disconnect())

  for (const codec of codecs) {
    await t.test(codec, async (t) => {
      await t.test(`kafkajs ${codec} → kcat, kafka-python, kafkajs`, async (t) => {
        const topic = uniqueTopic(`cx-kjs-${codec}`)
        const records = makeRecords(`kjs-${codec}`, 25).map((r) => ({ ...r, partition: 0 }))
        const compressedBefore = kafkajsCodecCalls[codec].compress
        const res = await producer.send({
          topic,
          acks: -1,
          compression: kafkajsType[codec],
          messages: records.map((r) => ({ key: r.key, value: r.value, headers: kafkajsHeaders(r.headers), partition: 0 })),
        })
        t.equal(res[0]?.errorCode, 0, 'produce accepted')
        t.ok(kafkajsCodecCalls[codec].compress > compressedBefore, `kafkajs compressed with ${codec}`)
        const { got, decompressed } = await readWithKafkajs(broker, topic, codec)
        checkPartition(t, records, got, 0, 0, `kafkajs→kafkajs ${codec}`)
        t.ok(decompressed > 0, `served batches are still ${codec}-compressed`)
        await t.test('read with kcat', { skip: noKcat }, async (t) => {
          checkPartition(t, records, await kcatConsume(broker.bootstrap, topic, 0), 0, 0, `kafkajs→kcat ${codec}`)
        })
        await t.test('read with kafka-python', { skip: noKafkaPython }, async (t) => {
          const { records: kp } = await pyConsume('kafka_python_client.py', broker.bootstrap, topic, [0])
          checkPartition(t, records, kp, 0, 0, `kafkajs→kafka-python ${codec}`)
        })
      })

      await t.test(`kcat -z ${codec} → kafkajs, kafka-python`, { skip: noKcat }, async (t) => {
        const topic = uniqueTopic(`cx-kcat-${codec}`)
        const records = makeRecords(`kc-${codec}`, 25, { headers: 'fixed' })
        await kcatProduce(broker.bootstrap, topic, records, { partition: 0, codec, headers: fixedHeaders })
        const { got, decompressed } = await readWithKafkajs(broker, topic, codec)
        checkPartition(t, records, got, 0, 0, `kcat→kafkajs ${codec}`)
        t.ok(decompressed > 0, `served batches are still ${codec}-compressed`, stillCompressed(codec, true))
        await t.test('read with kafka-python', { skip: noKafkaPython }, async (t) => {
          const { records: kp } = await pyConsume('kafka_python_client.py', broker.bootstrap, topic, [0])
          checkPartition(t, records, kp, 0, 0, `kcat→kafka-python ${codec}`)
        })
      })

      await t.test(
        `confluent-kafka-python compression.type=${codec} → kcat, kafkajs`,
        { skip: noConfluent },
        async (t) => {
          const topic = uniqueTopic(`cx-ckp-${codec}`)
          const records = await pyProduce(
            'confluent_client.py',
            broker.bootstrap,
            topic,
            makeRecords(`ckp-${codec}`, 25).map((r) => ({ ...r, partition: 0 })),
            { 'compression.type': codec },
          )
          t.same(records.map((r) => r.offset), [...Array(25).keys()], 'delivery offsets 0..24')
          const { got, decompressed } = await readWithKafkajs(broker, topic, codec)
          checkPartition(t, records, got, 0, 0, `confluent→kafkajs ${codec}`)
          t.ok(decompressed > 0, `served batches are still ${codec}-compressed`, stillCompressed(codec, true))
          await t.test('read with kcat', { skip: noKcat }, async (t) => {
            checkPartition(t, records, await kcatConsume(broker.bootstrap, topic, 0), 0, 0, `confluent→kcat ${codec}`)
          })
        },
      )
    })
  }
})
