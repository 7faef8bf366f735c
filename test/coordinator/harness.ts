// A real broker (temp data dir, no listener) whose group coordinator runs on a ManualClock, for driving the
// state machine directly.
import { Broker } from '../../src/broker/broker.js'
import { createLogger } from '../../src/server/logger.js'
import { testConfig, tempDir } from '../helpers/broker.js'
import { ManualClock } from './manual-clock.js'
import { subscription } from './group-helpers.js'
import type { GroupCoordinator, JoinRequest } from '../../src/coordinator/group-coordinator.js'
import { createTopics } from '../../src/broker/topic-admin.js'

interface Teardown { teardown: (fn: () => unknown) => void }

export interface Harness { broker: Broker, groups: GroupCoordinator, clock: ManualClock, dir: string, reopen: () => Promise<Harness> }

export async function openHarness (t: Teardown, config: Record<string, string> = {}, dir = tempDir(t)): Promise<Harness> {
  const clock = new ManualClock()
  const broker = await Broker.open(testConfig(dir, { 'offsets.topic.num.partitions': '3', ...config }), createLogger('silent'), clock)
  let closed = false
  const close = async (): Promise<void> => { if (!closed) { closed = true; await broker.close() } }
  t.teardown(close)
  await broker.groups.whenLoaded()
  await broker.groups.ensureOffsetsTopic()
  if (!broker.metadata.image.topicsByName.has('t')) {
    await createTopics(broker, [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }, { name: 'u', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], false)
  }
  return {
    broker,
    groups: broker.groups,
    clock,
    dir,
    reopen: async () => { await close(); return await openHarness(t, config, dir) }
  }
}

export function joinReq (groupId: string, o: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId,
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 30000,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription(['t']) }],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    apiVersion: 9,
    ...o
  }
}

/** Tracks whether a promise has settled, for asserting that an answer is parked. */
export function track<T> (p: Promise<T>): { done: () => boolean, value: () => T, promise: Promise<T> } {
  let done = false
  let value: T | undefined
  void p.then(v => { done = true; value = v })
  return { done: () => done, value: () => value as T, promise: p }
}
