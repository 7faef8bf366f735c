// samsa produce TOPIC: one record per input line, from stdin or --file.
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { parse, withClient, intOption, keyValues, toJson, UsageError, BROKERS_HELP, type Command, type Io } from './common.js'
import { Producer, compressionCodec, type ProducedRecord } from '../../client/producer.js'

const HELP = `Usage: samsa produce TOPIC [options]

Sends one record per line of stdin (or --file). Keyed records go to murmur2(key) % partitions, as
Java's default partitioner does; records without a key stick to one partition per batch.

Options:
  -f, --file FILE            read records from FILE instead of stdin
  -k, --key KEY              key of every record
      --key-delimiter DELIM  split each line at the first DELIM into key and value
  -H, --header KEY=VALUE     a header on every record, repeatable
  -p, --partition N          send every record to partition N
  -z, --compression CODEC    none, gzip, snappy, lz4 or zstd (default none)
      --acks ACKS            all (-1), 1 or 0 (default all)
  -v, --verbose              print the partition and offset of each record
      --json                 with -v, one JSON object per record
${BROKERS_HELP}
`

const OPTIONS = {
  file: { type: 'string', short: 'f' },
  key: { type: 'string', short: 'k' },
  'key-delimiter': { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  partition: { type: 'string', short: 'p' },
  compression: { type: 'string', short: 'z' },
  acks: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' }
} as const

export const produceCommand: Command = {
  name: 'produce',
  summary: 'produce records from stdin or a file, one per line',
  help: HELP,
  run: async (args: string[], io: Io): Promise<number> => {
    const { values, positionals } = parse(args, OPTIONS, { min: 1, max: 1, usage: 'samsa produce TOPIC' })
    if (values.help === true) { io.stdout.write(HELP); return 0 }
    const topic = positionals[0]!
    const partition = intOption('--partition', values.partition, 0)
    const headers = keyValues('--header', values.header).map(([key, value]) => ({ key, value: Buffer.from(value) }))
    const compression = values.compression ?? 'none'
    if (compressionCodec(compression) === undefined) throw new UsageError(`--compression must be none, gzip, snappy, lz4 or zstd, got ${compression}`)
    const acksFlag = values.acks ?? 'all'
    const acks = acksFlag === 'all' ? -1 : ['-1', '0', '1'].includes(acksFlag) ? Number(acksFlag) : undefined
    if (acks === undefined) throw new UsageError(`--acks must be all, -1, 0 or 1, got ${acksFlag}`)
    const delimiter: string | undefined = values['key-delimiter']
    if (delimiter === '') throw new UsageError('--key-delimiter must not be empty')
    if (delimiter !== undefined && values.key !== undefined) throw new UsageError('--key and --key-delimiter cannot be combined')
    const fixedKey = values.key === undefined ? null : Buffer.from(values.key as string)
    const input = values.file === undefined ? io.stdin : createReadStream(values.file as string)
    const inputError = new Promise<never>((_resolve, reject) => (input as NodeJS.EventEmitter).once('error', (err: Error) => reject(new UsageError(`cannot read ${values.file as string}: ${err.message}`))))
    inputError.catch(() => {})

    return await withClient(values, io, async c => {
      const producer = new Producer(c, topic, { acks, compression })
      // Fails fast on an unknown topic before reading any input.
      await c.topic(topic)
      let printing: Promise<void> = Promise.resolve()
      let failure: Error | null = null
      const lines = createInterface({ input, crlfDelay: Infinity })
      const read = (async () => {
        for await (const line of lines) {
          if (failure !== null) break
          let key = fixedKey
          let value = line
          if (delimiter !== undefined) {
            const at = line.indexOf(delimiter)
            if (at >= 0) { key = Buffer.from(line.slice(0, at)); value = line.slice(at + delimiter.length) }
          }
          const sent = producer.send({ key, value: Buffer.from(value), headers, partition })
          sent.catch((err: Error) => { failure ??= err })
          printing = printing.then(async () => {
            let r: ProducedRecord
            try { r = await sent } catch { return }
            if (values.verbose === true) io.stdout.write(values.json === true ? toJson({ topic, partition: r.partition, offset: r.offset }) + '\n' : `${topic}-${r.partition}@${r.offset}\n`)
          })
        }
      })()
      await Promise.race([read, inputError])
      await producer.flush()
      await printing
      if (failure !== null) throw failure
      return 0
    })
  }
}
