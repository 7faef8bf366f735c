// Shared types for the generated protocol codecs.

/**
 * What an encoder accepts: every key optional at every depth, so callers only spell out what differs
 * from the spec defaults. Buffers stay Buffers (they are payloads, not structs).
 */
export type Init<T> =
  T extends Buffer ? T :
    T extends string | number | bigint | boolean | null | undefined ? T :
      T extends ReadonlyArray<infer U> ? Array<Init<U>> :
        { [K in keyof T]?: Init<T[K]> }

/**
 * Raised by encoders when a message cannot be expressed at the requested version: a non-default value
 * in a non-ignorable field the version lacks, a null in a non-nullable field, or an unknown version.
 * Kafka's generated code throws UnsupportedVersionException in the same places.
 */
export class EncodeError extends Error {
  override name = 'EncodeError'
}
