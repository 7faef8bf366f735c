// samsa.log.durability=fsync: appends are acknowledged only once their bytes are on stable storage, and
// one round of fsyncs covers every append (on any partition) whose write completed before the round
// began. While a round is in flight new appends queue for the next one, so the number of fsyncs per
// second is bounded by the disk's fsync latency, not by the append rate: the classic group commit.

/** A log as the committer sees it: something that can make everything written so far durable. */
export interface Syncable {
  syncForCommit: () => Promise<void>
}

/** How a log makes appends durable before resolving them. */
export interface Durability {
  commit: (log: Syncable) => Promise<void>
}

export interface GroupCommitStats {
  /** Rounds of fsyncs run. */
  rounds: number
  /** Appends resolved by those rounds. */
  commits: number
  /** Log syncs issued (one per dirty log per round). */
  logSyncs: number
}

interface Waiter {
  log: Syncable
  resolve: () => void
  reject: (err: Error) => void
}

export class GroupCommit implements Durability {
  private waiters: Waiter[] = []
  private dirty = new Set<Syncable>()
  private running = false
  private scheduled = false
  readonly stats: GroupCommitStats = { rounds: 0, commits: 0, logSyncs: 0 }

  /** Resolves once a round that started after this call has synced `log`. */
  commit (log: Syncable): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ log, resolve, reject })
      this.dirty.add(log)
      this.schedule()
    })
  }

  private schedule (): void {
    if (this.running || this.scheduled) return
    this.scheduled = true
    // setImmediate rather than a microtask: appends completing in the same I/O phase join this round.
    setImmediate(() => { void this.round() })
  }

  private async round (): Promise<void> {
    this.scheduled = false
    this.running = true
    const waiters = this.waiters
    const logs = [...this.dirty]
    this.waiters = []
    this.dirty = new Set()
    const failures = new Map<Syncable, Error>()
    await Promise.all(logs.map(async log => {
      try {
        await log.syncForCommit()
      } catch (err) {
        failures.set(log, err as Error)
      }
    }))
    this.stats.rounds++
    this.stats.logSyncs += logs.length
    this.stats.commits += waiters.length
    this.running = false
    for (const w of waiters) {
      const err = failures.get(w.log)
      if (err === undefined) w.resolve()
      else w.reject(err)
    }
    if (this.waiters.length > 0) this.schedule()
  }
}
