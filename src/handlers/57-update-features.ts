// UpdateFeatures (key 57), versions 0–2.
//
// Behaviour: KRaft's FeatureControlManager.updateFeatures. The whole request succeeds or fails as one
// (the controller's single ApiError is copied to the top level and, before v2, to every feature's result):
// an unknown upgrade type, a negative level, a level outside what this node supports, a downgrade without
// a downgrade type, or a "downgrade" to a newer level are INVALID_UPDATE_VERSION with Kafka's "Invalid
// update version L for feature F. <reason>" messages. Features other than metadata.version have their
// dependencies checked against the proposed levels (group.version 1 needs metadata.version 4.0-IV0).
// metadata.version may only go down when no level in between changed the metadata format
// (didMetadataChange), otherwise "Refusing to perform the requested downgrade…", and unsafe downgrades are
// refused as Kafka 4.x refuses them. Accepted changes are FeatureLevelRecords written through the
// controller in one batch (level 0 removes a feature); validateOnly writes nothing. v0 has no upgrade
// type: allowDowngrade means a safe downgrade.
// Gaps: no authorization (CLUSTER ALTER); the timeout is unused since the change completes before the
// answer. kraft.version, transaction.version and the other 4.x features samsa does not implement are not
// supported here (setting them above 0 is refused, as on a node that does not support them).
import { UpdateFeaturesSpec, type UpdateFeaturesRequest, type UpdateFeaturesResponse } from '../wire/generated/update-features.js'
import type { Init } from '../wire/types.js'
import { ErrorCode } from '../wire/generated/errors.js'
import type { Handler } from '../server/registry.js'
import type { RequestContext } from '../server/request-context.js'
import type { MetadataRecord } from '../metadata/image.js'
import { SUPPORTED_FEATURES } from '../broker/features.js'

const UPGRADE = 1
const SAFE_DOWNGRADE = 2
const UNSAFE_DOWNGRADE = 3

/**
 * Kafka's MetadataVersion table from 3.3-IV3 (level 7) up: whether each level changed the metadata
 * format, which decides if a downgrade across it could lose metadata.
 */
const METADATA_CHANGED: ReadonlyMap<number, boolean> = new Map([
  [7, true], [8, true], [9, false], [10, false], [11, true], [12, false], [13, true], [14, true], [15, true],
  [16, false], [17, true], [18, false], [19, false], [20, false], [21, false], [22, false], [23, true],
  [24, false], [25, false], [26, false], [27, false], [28, false], [29, false], [30, true]
])

/** Feature levels that need another feature at some level (Kafka's FeatureVersion.dependencies). */
const DEPENDENCIES: Record<string, Record<number, Record<string, number>>> = {
  'group.version': { 1: { 'metadata.version': 22 } },
  'transaction.version': { 1: { 'metadata.version': 24 }, 2: { 'metadata.version': 24 } }
}

class UpdateError extends Error {}

function range (min: number, max: number): string { return min === max ? `${min}` : `${min}-${max}` }

function invalid (feature: string, level: number, why: string): UpdateError {
  return new UpdateError(`Invalid update version ${level} for feature ${feature}. ${why}`)
}

/** Levels from `high` down to just above `low` that changed metadata (checkIfMetadataChanged). */
function metadataChangedBetween (low: number, high: number): boolean {
  for (let v = high; v > low; v--) if (METADATA_CHANGED.get(v) === true) return true
  return false
}

function check (nodeId: number, finalized: ReadonlyMap<string, number>, proposed: ReadonlyMap<string, number>, feature: string, level: number, type: number): void {
  if (type !== UPGRADE && type !== SAFE_DOWNGRADE && type !== UNSAFE_DOWNGRADE) throw invalid(feature, level, 'The controller does not support the given upgrade type.')
  const current = finalized.get(feature) ?? 0
  if (level < 0) throw invalid(feature, level, 'A feature version cannot be less than 0.')
  const supported = SUPPORTED_FEATURES.find(f => f.name === feature)
  if (supported === undefined) {
    if (level !== 0) throw invalid(feature, level, `Local controller ${nodeId} does not support this feature.`)
  } else if (level < supported.minVersion || level > supported.maxVersion) {
    throw invalid(feature, level, `Local controller ${nodeId} only supports versions ${range(supported.minVersion, supported.maxVersion)}`)
  }
  if (level < current && type === UPGRADE) throw invalid(feature, level, "Can't downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.")
  if (level > current && type !== UPGRADE) throw invalid(feature, level, "Can't downgrade to a newer version.")
  if (feature === 'metadata.version') {
    if (level < current && metadataChangedBetween(level, current)) {
      throw new UpdateError(type === UNSAFE_DOWNGRADE
        ? `Invalid metadata.version ${level}. Unsafe metadata downgrade is not supported in this version.`
        : `Invalid metadata.version ${level}. Refusing to perform the requested downgrade because it might delete metadata information.`)
    }
    return
  }
  if (supported === undefined) throw invalid(feature, level, `Feature ${feature} not found.`)
  for (const [dep, needed] of Object.entries(DEPENDENCIES[feature]?.[level] ?? {})) {
    const have = proposed.get(dep)
    if (have === undefined || have < needed) {
      throw invalid(feature, level, `${feature} with value ${level} requires ${dep} with value ${needed}, but it is ${have ?? 'not set'}`)
    }
  }
}

export const updateFeaturesHandler: Handler = {
  apiKey: 57,
  spec: UpdateFeaturesSpec,
  minVersion: 0,
  maxVersion: 2,
  async handle (ctx: RequestContext, req: UpdateFeaturesRequest): Promise<Init<UpdateFeaturesResponse>> {
    const b = ctx.broker
    const typeOf = (u: UpdateFeaturesRequest['featureUpdates'][number]): number =>
      ctx.apiVersion === 0 ? (u.allowDowngrade ? SAFE_DOWNGRADE : UPGRADE) : u.upgradeType
    let errorMessage: string | null = null
    try {
      await b.controller.run(image => {
        const updates = new Map<string, { level: number, type: number }>()
        for (const u of req.featureUpdates) updates.set(u.feature, { level: u.maxVersionLevel, type: typeOf(u) })
        const proposed = new Map(image.features)
        for (const [name, u] of updates) proposed.set(name, u.level)
        const records: MetadataRecord[] = []
        for (const [name, u] of updates) {
          check(b.nodeId, image.features, proposed, name, u.level, u.type)
          records.push({ type: 'FeatureLevelRecord', data: { name, featureLevel: u.level } })
        }
        return { records: req.validateOnly ? [] : records, result: undefined }
      })
    } catch (e) {
      if (!(e instanceof UpdateError)) throw e
      errorMessage = e.message
    }
    const errorCode = errorMessage === null ? ErrorCode.NONE : ErrorCode.INVALID_UPDATE_VERSION
    if (errorMessage === null && !req.validateOnly) ctx.log.info({ updates: req.featureUpdates.map(u => `${u.feature}=${u.maxVersionLevel}`) }, 'updated finalized features')
    return {
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      results: ctx.apiVersion >= 2 ? [] : req.featureUpdates.map(u => ({ feature: u.feature, errorCode, errorMessage }))
    }
  }
}
