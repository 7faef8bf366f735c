// Java .properties syntax, as Kafka's server.properties uses it: `key=value`, `key: value` or `key value`,
// `#`/`!` comments, backslash line continuations and escapes.

export class PropertiesError extends Error {
  override name = 'PropertiesError'
}

export function parseProperties (text: string, source = 'properties'): Map<string, string> {
  const out = new Map<string, string>()
  const lines = text.split(/\r\n|\r|\n/)
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '')
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue
    while (endsWithOddBackslashes(line)) {
      line = line.slice(0, -1)
      if (i + 1 >= lines.length) break
      line += lines[++i]!.replace(/^[ \t\f]+/, '')
    }
    const { key, value } = splitKeyValue(line)
    if (key === '') throw new PropertiesError(`${source}:${i + 1}: empty key`)
    out.set(unescape(key), unescape(value))
  }
  return out
}

function endsWithOddBackslashes (s: string): boolean {
  let n = 0
  for (let i = s.length - 1; i >= 0 && s[i] === '\\'; i--) n++
  return n % 2 === 1
}

function splitKeyValue (line: string): { key: string, value: string } {
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === '\\') { i += 2; continue }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break
    i++
  }
  const key = line.slice(0, i)
  let rest = line.slice(i).replace(/^[ \t\f]+/, '')
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]+/, '')
  return { key, value: rest }
}

function unescape (s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16))
    switch (e) {
      case 't': return '\t'
      case 'n': return '\n'
      case 'r': return '\r'
      case 'f': return '\f'
      default: return e
    }
  })
}
