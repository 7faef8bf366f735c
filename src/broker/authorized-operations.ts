// Authorized-operations bit fields as Kafka computes them with no authorizer configured: every operation
// the resource type supports (AclEntry.supportedOperations), one bit per AclOperation code.
const READ = 3, WRITE = 4, CREATE = 5, DELETE = 6, ALTER = 7, DESCRIBE = 8, CLUSTER_ACTION = 9
const DESCRIBE_CONFIGS = 10, ALTER_CONFIGS = 11, IDEMPOTENT_WRITE = 12

const bits = (ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0)

export const CLUSTER_OPERATIONS = bits([CREATE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE, ALTER, DESCRIBE])
export const TOPIC_OPERATIONS = bits([READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS])
/** The schema default of authorized-operations fields: not asked for. */
export const OPERATIONS_NOT_REQUESTED = -2147483648
