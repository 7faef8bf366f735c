"""Admin config and partition calls of confluent-kafka-python and kafka-python, for admin-configs.test.ts.

Reads one JSON request on stdin, prints one JSON answer on stdout:
  {"op": "confluent", "bootstrap", "topic"}    -> what AdminClient saw (describe_configs, alter_configs,
                                                  create_partitions, list_topics)
  {"op": "kafka_python", "bootstrap", "topic"} -> what KafkaAdminClient saw (describe_configs,
                                                  alter_configs, create_partitions, describe_cluster)
"""
from common import serve


def confluent(req):
    from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic
    admin = AdminClient({"bootstrap.servers": req["bootstrap"], "socket.timeout.ms": 10000})
    topic = req["topic"]
    out = {}
    admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)], request_timeout=15)[topic].result(timeout=20)
    res = ConfigResource("topic", topic)
    entries = admin.describe_configs([res], request_timeout=15)[res].result(timeout=20)
    out["before"] = {k: [v.value, v.source, v.is_read_only] for k, v in entries.items()}
    res = ConfigResource("topic", topic, set_config={"retention.ms": "3600000", "cleanup.policy": "compact"})
    admin.alter_configs([res], request_timeout=15)[res].result(timeout=20)
    entries = admin.describe_configs([ConfigResource("topic", topic)], request_timeout=15)
    entries = list(entries.values())[0].result(timeout=20)
    out["after"] = {k: [v.value, v.source] for k, v in entries.items() if k in ("retention.ms", "cleanup.policy", "max.message.bytes")}
    broker = ConfigResource("broker", "1")
    b = admin.describe_configs([broker], request_timeout=15)[broker].result(timeout=20)
    out["broker"] = {k: [v.value, v.is_read_only] for k, v in b.items() if k in ("node.id", "message.max.bytes", "log.retention.hours")}
    admin.create_partitions([NewPartitions(topic, 3)], request_timeout=15)[topic].result(timeout=20)
    try:
        admin.create_partitions([NewPartitions(topic, 2)], request_timeout=15)[topic].result(timeout=20)
        out["shrink"] = "accepted"
    except Exception as e:  # noqa: BLE001 - the KafkaException carries the broker's error
        out["shrink"] = e.args[0].name() if hasattr(e.args[0], "name") else str(e)
    md = admin.list_topics(timeout=10)
    out["partitions"] = sorted(md.topics[topic].partitions.keys())
    out["brokers"] = sorted(md.brokers.keys())
    return out


def kafka_python(req):
    from kafka import KafkaAdminClient
    from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic
    admin = KafkaAdminClient(bootstrap_servers=req["bootstrap"], request_timeout_ms=15000)
    topic = req["topic"]
    out = {}
    try:
        admin.create_topics([NewTopic(topic, 1, 1)])
        r = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        resp = r[0] if isinstance(r, list) else r
        res = resp.resources[0]
        out["describe_error"] = res[0]
        out["configs"] = {c[0]: c[1] for c in res[4]}
        a = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": "2000"})])
        out["alter_error"] = a.resources[0][0]
        r = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs={"max.message.bytes": None})])
        resp = r[0] if isinstance(r, list) else r
        out["after"] = {c[0]: c[1] for c in resp.resources[0][4]}
        bad = admin.alter_configs([ConfigResource(ConfigResourceType.BROKER, "1", configs={"node.id": "5"})])
        out["static_error"] = [bad.resources[0][0], bad.resources[0][1]]
        p = admin.create_partitions({topic: NewPartitions(total_count=4)})
        out["create_partitions"] = [[t[0], t[1]] for t in p.topic_errors]
        c = admin.describe_cluster()
        out["cluster"] = {"cluster_id": c.get("cluster_id"), "controller_id": c.get("controller_id"), "brokers": [b["node_id"] for b in c.get("brokers", [])]}
    finally:
        admin.close()
    return out


serve({"confluent": confluent, "kafka_python": kafka_python})
