// Time and timers behind an interface, so the group coordinator's session, rebalance and retention timers
// run on the real clock in the broker and on a hand-advanced one in tests (which must never sleep).
export interface Clock {
  now: () => number
  setTimer: (ms: number, fn: () => void) => unknown
  clearTimer: (handle: unknown) => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, Math.max(0, ms))
    // A pending session timeout must not keep a stopped broker's process alive.
    t.unref()
    return t
  },
  clearTimer: h => clearTimeout(h as NodeJS.Timeout)
}

/**
 * Timers by key, as Kafka's coordinator timer keeps them: scheduling a key again replaces its previous
 * timer, so "reschedule the heartbeat" is one call.
 */
export class KeyedTimer {
  private readonly timers = new Map<string, unknown>()

  constructor (private readonly clock: Clock) {}

  schedule (key: string, ms: number, fn: () => void): void {
    this.cancel(key)
    const h = this.clock.setTimer(ms, () => {
      if (this.timers.get(key) !== h) return
      this.timers.delete(key)
      fn()
    })
    this.timers.set(key, h)
  }

  cancel (key: string): void {
    const h = this.timers.get(key)
    if (h === undefined) return
    this.timers.delete(key)
    this.clock.clearTimer(h)
  }

  has (key: string): boolean { return this.timers.has(key) }

  cancelAll (): void {
    for (const h of this.timers.values()) this.clock.clearTimer(h)
    this.timers.clear()
  }
}
