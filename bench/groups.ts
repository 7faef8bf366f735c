// Classic group coordinator figures from a real samsa process, driven over the wire by the raw client
// (the generated codecs): OffsetCommit throughput with one and with 100 partitions per request, how
// long a 100-member group takes to become Stable with everyone assigned (and to settle again after
// one more member joins), and how long the coordinator takes to load 100k committed offsets after a
// restart. Prints numbers; checks that what was committed is what is fetched.
// Usage: node --import tsx bench/groups.ts [--quick]
import { spawnBroker, type Broker } from '../compat-tests/harness.js'
import { RawClient } from '../test/helpers/raw-client.js'
import { createTopicsRaw } from '../test/helpers/kafka.js'
import { GROUP_API, findCoordinator, joinGroup, subscription } from '../test/coordinator/group-helpers.js'

const quick = process.argv.includes('--quick')
const commitSeconds = quick ? 1 : 3
const members = 100
const loadGroups = quick ? 100 : 1000
const partitionsPerGroup = 100
const COORDINATOR_LOAD_IN_PROGRESS = 14
const REBALANCE_IN_PROGRESS = 27
const MEMBER_ID_REQUIRED = 79
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })

function commitBody(groupId: string, topic: string, parts: number[], offset: bigint): object {
  return {
    groupId,
    generationIdOrMemberEpoch: -1,
    memberId: '',
    groupInstanceId: null,
    retentionTimeMs: -1n,
    topics: [{ name: topic, partitions: parts.map((p) => ({ partitionIndex: p, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' })) }],
  }
}

/** Commits for `seconds` with `inFlight` pipelined requests of `parts` partitions; partition-commits/s. */
async function commitRate(c: RawClient, topic: string, parts: number[], inFlight: number, seconds: number): Promise<{ requests: number; perSecond: number }> {
  let requests = 0
  let offset = 0n
  const deadline = Date.now() + seconds * 1000
  const t0 = process.hrtime.bigint()
  await Promise.all(Array.from({ length: inFlight }, async (_, w) => {
    while (Date.now() < deadline) {
      const r = await c.request(GROUP_API.OffsetCommit, 9, commitBody(`commit-bench-${w}`, topic, parts, offset++))
      for (const p of r.topics[0].partitions) if (p.errorCode !== 0) throw new Error(`commit error ${p.errorCode}`)
      requests++
    }
  }))
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  return { requests, perSecond: (requests * parts.length) / secs }
}

interface Member { stop: () => void; done: Promise<void> }

/**
 * A consumer's classic-protocol loop: join (through MEMBER_ID_REQUIRED), sync (the leader hands out
 * the partitions round-robin), heartbeat every `hbMs`, rejoin on REBALANCE_IN_PROGRESS.
 */
function runMember(c: RawClient, group: string, hbMs: number, onSynced: (memberId: string, gen: number, assignment: string) => void): Member {
  let stopped = false
  const done = (async () => {
    let memberId = ''
    while (!stopped) {
      const j = await joinGroup(c, group, { memberId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, protocols: [{ name: 'range', metadata: subscription(['g']) }] })
      if (j.errorCode === MEMBER_ID_REQUIRED) { memberId = j.memberId; continue }
      if (j.errorCode === REBALANCE_IN_PROGRESS) continue
      if (j.errorCode !== 0) throw new Error(`JoinGroup error ${j.errorCode}`)
      memberId = j.memberId
      const gen = j.generationId as number
      const assignments = j.leader === memberId
        ? (j.members as { memberId: string }[]).map((m, i, all) => ({
            memberId: m.memberId,
            assignment: Buffer.from(Array.from({ length: members }, (_, p) => p).filter((p) => p % all.length === i).join(',')),
          }))
        : []
      const s = await c.request(GROUP_API.SyncGroup, 5, { groupId: group, generationId: gen, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments })
      if (s.errorCode === REBALANCE_IN_PROGRESS) continue
      if (s.errorCode !== 0) throw new Error(`SyncGroup error ${s.errorCode}`)
      onSynced(memberId, gen, (s.assignment as Buffer).toString())
      while (!stopped) {
        await sleep(hbMs)
        if (stopped) break
        const h = await c.request(GROUP_API.Heartbeat, 4, { groupId: group, generationId: gen, memberId, groupInstanceId: null })
        if (h.errorCode === REBALANCE_IN_PROGRESS) break
        if (h.errorCode !== 0) throw new Error(`Heartbeat error ${h.errorCode}`)
      }
    }
  })()
  // a stopped member's pending request fails when its connection closes: that is the way out
  void done.catch((e: unknown) => { if (!stopped) { console.error(e); process.exit(1) } })
  return { stop: () => { stopped = true; void c.close() }, done }
}

const current = { onSynced: (_m: string, _g: number, _a: string): void => {} }

/** Starts `count` more members and resolves when every member is synced to one generation covering all partitions. */
async function growGroup(port: number, group: string, hbMs: number, existing: Map<string, { gen: number; assignment: string }>, all: Member[], count: number): Promise<number> {
  const target = all.length + count
  let resolve!: (ms: number) => void
  const settled = new Promise<number>((r) => (resolve = r))
  const t0 = process.hrtime.bigint()
  const onSynced = (memberId: string, gen: number, assignment: string): void => {
    existing.set(memberId, { gen, assignment })
    const gens = new Set([...existing.values()].map((m) => m.gen))
    if (existing.size < target || gens.size !== 1) return
    const covered = [...existing.values()].flatMap((m) => (m.assignment ? m.assignment.split(',').map(Number) : []))
    if (covered.length === members && new Set(covered).size === members) resolve(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  // members started by an earlier call report here too: the check belongs to the latest call
  current.onSynced = onSynced
  const clients = await Promise.all(Array.from({ length: count }, () => RawClient.connect(port)))
  for (const c of clients) all.push(runMember(c, group, hbMs, (...a) => current.onSynced(...a)))
  // a generation that lost a member between joins would leave stale entries: keep only the latest
  const ms = await Promise.race([settled, sleep(120_000).then(() => { throw new Error(`${group} did not settle within 120 s`) })])
  return ms
}

async function groupFigures(broker: Broker, hbMs: number): Promise<{ form: number; rejoin: number }> {
  const group = `big-${hbMs}`
  const c = await RawClient.connect(broker.port)
  await findCoordinator(c, group)
  await c.close()
  const synced = new Map<string, { gen: number; assignment: string }>()
  const all: Member[] = []
  const form = await growGroup(broker.port, group, hbMs, synced, all, members)
  const rejoin = await growGroup(broker.port, group, hbMs, synced, all, 1)
  for (const m of all) m.stop()
  return { form, rejoin }
}

async function loadFigures(broker: Broker): Promise<{ commitMs: number; readyMs: number; loadedMs: number }> {
  const c = await RawClient.connect(broker.port)
  await findCoordinator(c, 'load-0')
  const groups = Array.from({ length: loadGroups }, (_, g) => `load-${g}`)
  const parts = Array.from({ length: partitionsPerGroup }, (_, p) => p)
  const t0 = Date.now()
  let next = 0
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < groups.length) {
      const g = next++
      const r = await c.request(GROUP_API.OffsetCommit, 9, commitBody(groups[g]!, 'g', parts, BigInt(g)))
      for (const p of r.topics[0].partitions) if (p.errorCode !== 0) throw new Error(`commit error ${p.errorCode}`)
    }
  }))
  const commitMs = Date.now() - t0
  await c.close()
  await broker.stop()
  const s0 = process.hrtime.bigint()
  await broker.restart()
  const readyMs = Number(process.hrtime.bigint() - s0) / 1e6
  const d = await RawClient.connect(broker.port)
  for (;;) {
    const r = await d.request(GROUP_API.OffsetFetch, 8, { groups: groups.map((groupId) => ({ groupId, topics: null })), requireStable: false })
    const loading = (r.groups as { errorCode: number }[]).filter((x) => x.errorCode === COORDINATOR_LOAD_IN_PROGRESS).length
    if (loading === 0) {
      const loadedMs = Number(process.hrtime.bigint() - s0) / 1e6
      let wrong = 0
      let count = 0
      for (const [g, x] of (r.groups as { errorCode: number; topics: { partitions: { committedOffset: bigint }[] }[] }[]).entries()) {
        if (x.errorCode !== 0) throw new Error(`OffsetFetch load-${g}: error ${x.errorCode}`)
        for (const p of x.topics.flatMap((tp) => tp.partitions)) { count++; if (p.committedOffset !== BigInt(g)) wrong++ }
      }
      if (count !== loadGroups * partitionsPerGroup || wrong) throw new Error(`after the load ${count} offsets came back, ${wrong} wrong`)
      await d.close()
      return { commitMs, readyMs, loadedMs }
    }
    await sleep(5)
  }
}

export async function groups(): Promise<void> {
  const broker = await spawnBroker({ args: ['-o', 'group.initial.rebalance.delay.ms=0'] })
  try {
    const c = await RawClient.connect(broker.port)
    const r = await createTopicsRaw(c, [{ name: 'g', numPartitions: members }])
    if (r.topics[0].errorCode !== 0) throw new Error(`CreateTopics error ${r.topics[0].errorCode}`)
    await findCoordinator(c, 'commit-bench-0')
    const one = await commitRate(c, 'g', [7], 32, commitSeconds)
    const many = await commitRate(c, 'g', Array.from({ length: members }, (_, p) => p), 8, commitSeconds)
    await c.close()
    console.log(`offset commits (OffsetCommit v9, simple-consumer commits, ${commitSeconds} s each, one connection)`)
    console.log(`  1 partition per request, 32 in flight:    ${fmt(one.perSecond)} commits/s`)
    console.log(`  100 partitions per request, 8 in flight:  ${fmt(many.perSecond)} partition commits/s (${fmt(many.perSecond / 100)} requests/s)`)

    for (const hbMs of [100, 500]) {
      const g = await groupFigures(broker, hbMs)
      console.log(`${members}-member classic group (one connection each, group.initial.rebalance.delay.ms=0, heartbeat every ${hbMs} ms, rejoin on REBALANCE_IN_PROGRESS)`)
      console.log(`  first JoinGroup → all ${members} synced to one generation covering every partition: ${fmt(g.form)} ms`)
      console.log(`  member ${members + 1} joins → all ${members + 1} synced again:                        ${fmt(g.rejoin)} ms`)
    }

    const l = await loadFigures(broker)
    console.log(`coordinator load (${fmt(loadGroups * partitionsPerGroup)} committed offsets: ${fmt(loadGroups)} groups × ${partitionsPerGroup} partitions, 50 __consumer_offsets partitions)`)
    console.log(`  committing them: ${fmt(l.commitMs)} ms`)
    console.log(`  restart: spawn → ready line ${fmt(l.readyMs)} ms, → OffsetFetch answers every group without COORDINATOR_LOAD_IN_PROGRESS ${fmt(l.loadedMs)} ms (all offsets verified)`)
  } finally {
    await broker.cleanup()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  groups().then(() => process.exit(0), (e: unknown) => {
    console.error(e)
    process.exit(1)
  })
}
