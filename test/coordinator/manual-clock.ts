// A clock that only moves when the test says so: timers fire in due order inside advance().
import type { Clock } from '../../src/coordinator/clock.js'

interface Pending { at: number, seq: number, fn: () => void }

export class ManualClock implements Clock {
  private t = 1_000_000
  private seq = 0
  private readonly pending = new Set<Pending>()

  now (): number { return this.t }

  setTimer (ms: number, fn: () => void): unknown {
    const p = { at: this.t + Math.max(0, ms), seq: this.seq++, fn }
    this.pending.add(p)
    return p
  }

  clearTimer (h: unknown): void { this.pending.delete(h as Pending) }

  advance (ms: number): void {
    const target = this.t + ms
    for (;;) {
      let next: Pending | undefined
      for (const p of this.pending) if (p.at <= target && (next === undefined || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p
      if (next === undefined) break
      this.pending.delete(next)
      this.t = next.at
      next.fn()
    }
    this.t = target
  }
}

/** Lets pending log writes and promise callbacks run. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise(resolve => setImmediate(resolve))
}
