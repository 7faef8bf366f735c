// Every API this broker serves. Adding a handler here is what makes it advertised in ApiVersions.
import { HandlerRegistry } from '../server/registry.js'
import { produceHandler } from './00-produce.js'
import { fetchHandler } from './01-fetch.js'
import { listOffsetsHandler } from './02-list-offsets.js'
import { metadataHandler } from './03-metadata.js'
import { apiVersionsHandler } from './18-api-versions.js'
import { createTopicsHandler } from './19-create-topics.js'
import { deleteTopicsHandler } from './20-delete-topics.js'

export function createRegistry (): HandlerRegistry {
  const registry = new HandlerRegistry()
  registry.register(produceHandler)
  registry.register(fetchHandler)
  registry.register(listOffsetsHandler)
  registry.register(metadataHandler)
  registry.register(apiVersionsHandler(registry))
  registry.register(createTopicsHandler)
  registry.register(deleteTopicsHandler)
  return registry
}
