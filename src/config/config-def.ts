// Typed config definitions shared by broker and topic configs: Kafka's ConfigDef types and parsing rules.

export type ConfigType = 'boolean' | 'int' | 'long' | 'double' | 'string' | 'list' | 'password'
export type ConfigValue = boolean | number | bigint | string | string[]

export interface ConfigDef {
  name: string
  type: ConfigType
  /** The default in Kafka's string form, or null for "no default" (null value). */
  default: string | null
  /**
   * Returns the reason an (already parsed) value is invalid, or undefined; a validator whose Kafka
   * counterpart words the whole message itself throws ConfigError instead.
   */
  validate?: (v: ConfigValue, name: string) => string | undefined
  sensitive?: boolean
  readOnly?: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

const INT_MIN = -2147483648
const INT_MAX = 2147483647
const LONG_MIN = -9223372036854775808n
const LONG_MAX = 9223372036854775807n

/** Parses a string the way Kafka's ConfigDef.parseType does; throws ConfigError with Kafka-like wording. */
export function parseValue (def: ConfigDef, raw: string): ConfigValue {
  const s = raw.trim()
  const bad = (): never => {
    throw new ConfigError(`Invalid value ${raw} for configuration ${def.name}: Not a ${typeWord(def.type)}`)
  }
  let v: ConfigValue
  switch (def.type) {
    case 'boolean':
      if (s.toLowerCase() === 'true') v = true
      else if (s.toLowerCase() === 'false') v = false
      else throw new ConfigError(`Invalid value ${raw} for configuration ${def.name}: Expected value to be either true or false`)
      break
    case 'int': {
      if (!/^[+-]?\d+$/.test(s)) bad()
      const n = Number(s)
      if (n < INT_MIN || n > INT_MAX) bad()
      v = n
      break
    }
    case 'long': {
      if (!/^[+-]?\d+$/.test(s)) bad()
      const n = BigInt(s)
      if (n < LONG_MIN || n > LONG_MAX) bad()
      v = n
      break
    }
    case 'double': {
      // Double.parseDouble's decimal forms (NaN, Infinity, a d/f suffix); JS-only forms such as 0x10 are refused.
      if (!/^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/.test(s)) bad()
      v = Number(s.replace(/[fFdD]$/, ''))
      break
    }
    case 'list':
      v = s === '' ? [] : s.split(/\s*,\s*/)
      break
    default:
      v = s
  }
  const err = def.validate?.(v, def.name)
  // Kafka's validators see the parsed value, so the message names it as Java prints it.
  if (err !== undefined) throw new ConfigError(`Invalid value ${def.type === 'double' && typeof v === 'number' ? javaDouble(v) : javaString(v)} for configuration ${def.name}: ${err}`)
  return v
}

/** A parsed value as Java's toString prints it (Double.toString, List.toString). */
export function javaString (v: ConfigValue): string {
  if (Array.isArray(v)) return `[${v.join(', ')}]`
  if (typeof v === 'number' && !Number.isInteger(v)) return javaDouble(v)
  return String(v)
}

/** Double.toString: plain between 10^-3 and 10^7, else computerized scientific notation; always a fraction digit. */
export function javaDouble (n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  const a = Math.abs(n)
  if (a >= 1e-3 && a < 1e7) {
    const s = String(n)
    return s.includes('.') ? s : `${s}.0`
  }
  const [m, e] = n.toExponential().split('e') as [string, string]
  return `${m.includes('.') ? m : `${m}.0`}E${Number(e)}`
}

function typeWord (t: ConfigType): string {
  switch (t) {
    case 'int': return 'number of type INT'
    case 'long': return 'number of type LONG'
    case 'double': return 'number of type DOUBLE'
    default: return t
  }
}

export const atLeast = (min: number | bigint) => (v: ConfigValue): string | undefined =>
  (typeof v === 'number' || typeof v === 'bigint') && v < min ? `Value must be at least ${min}` : undefined

export const between = (min: number, max: number) => (v: ConfigValue): string | undefined => {
  if (typeof v !== 'number') return undefined
  if (v < min) return `Value must be at least ${min}`
  if (v > max) return `Value must be no more than ${max}`
  return undefined
}

export const oneOf = (...allowed: string[]) => (v: ConfigValue): string | undefined =>
  typeof v === 'string' && !allowed.includes(v) ? `String must be one of: ${allowed.join(', ')}` : undefined

/** Kafka 4.x ConfigDef.ValidList.in(true, ...): empty allowed, no duplicates, no empty items, each item allowed. */
export const listOf = (...allowed: string[]) => (v: ConfigValue, name: string): string | undefined => {
  if (!Array.isArray(v)) return undefined
  if (new Set(v).size !== v.length) throw new ConfigError(`Configuration '${name}' values must not be duplicated.`)
  for (const item of v) {
    if (item === '') throw new ConfigError(`Configuration '${name}' values must not be empty.`)
    if (!allowed.includes(item)) throw new ConfigError(`Invalid value ${item} for configuration ${name}: String must be one of: ${allowed.join(', ')}`)
  }
  return undefined
}

export const LONG_MAX_STRING = LONG_MAX.toString()

/** Kafka's string form of a parsed value (as DescribeConfigs and CreateTopics return it). */
export function formatValue (v: ConfigValue | null): string | null {
  if (v === null) return null
  if (Array.isArray(v)) return v.join(',')
  return String(v)
}
