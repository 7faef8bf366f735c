// <data dir>/meta.properties, as Kafka's storage tool writes it: which cluster and node this directory
// belongs to. A directory formatted for another node id is refused, as Kafka refuses it.
import { readFile, writeFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { parseProperties } from '../config/properties.js'
import { randomUuid } from '../wire/uuid.js'

export interface MetaProperties { clusterId: string, nodeId: number, directoryId: string }

export class MetaPropertiesError extends Error {
  override name = 'MetaPropertiesError'
}

export async function loadOrCreateMetaProperties (dataDir: string, nodeId: number): Promise<MetaProperties> {
  const path = join(dataDir, 'meta.properties')
  let text: string | null = null
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (text !== null) {
    const p = parseProperties(text, path)
    const clusterId = p.get('cluster.id')
    const storedNode = p.get('node.id')
    if (p.get('version') !== '1') throw new MetaPropertiesError(`${path}: unsupported version ${p.get('version') ?? '(missing)'}`)
    if (clusterId === undefined || clusterId === '') throw new MetaPropertiesError(`${path}: cluster.id is missing`)
    if (storedNode !== undefined && Number(storedNode) !== nodeId) {
      throw new MetaPropertiesError(`Stored node id ${storedNode} doesn't match previous node id ${nodeId} in ${path}. If you moved your data, make sure your configured node id matches.`)
    }
    return { clusterId, nodeId, directoryId: p.get('directory.id') ?? randomUuid() }
  }
  const meta = { clusterId: randomUuid(), nodeId, directoryId: randomUuid() }
  const body = `#\n#${new Date().toString()}\ncluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\nnode.id=${nodeId}\nversion=1\n`
  await writeFile(path + '.tmp', body)
  await rename(path + '.tmp', path)
  return meta
}
