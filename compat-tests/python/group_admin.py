"""Group admin and group-less commits for the group tests (one JSON request on stdin, JSON answer).

  {"op": "confluent_list_groups", "bootstrap", "group"?}
      -> {"groups": [{id, error, state, protocol_type, protocol, members: [{id, client_id, client_host,
          assignment: {topic: [partitions]}}]}]}      (AdminClient.list_groups: ListGroups + DescribeGroups)
  {"op": "kp_list_groups", "bootstrap"} -> {"groups": [[group, protocol_type]]}
  {"op": "kp_describe_groups", "bootstrap", "groups": [..]} -> {"groups": [same shape as above]}
  {"op": "kp_group_offsets", "bootstrap", "group"} -> {"offsets": {"topic/p": {offset, metadata}}}
  {"op": "kp_simple_commit", "bootstrap", "topic", "group", "offsets": {p: offset}, "metadata"}
      kafka-python consumer with a group_id that assign()s (never subscribes) and commits
      -> {"committed": {p: {offset, metadata}}}      (read back with committed(), i.e. OffsetFetch)
"""
import struct

from common import serve


def decode_assignment(b):
    """ConsumerProtocolAssignment: version, [topic, [partition]], user data."""
    if not b:
        return {}
    pos = 2
    (n,) = struct.unpack_from(">i", b, pos)
    pos += 4
    out = {}
    for _ in range(n):
        (ln,) = struct.unpack_from(">h", b, pos)
        pos += 2
        topic = b[pos : pos + ln].decode("utf-8")
        pos += ln
        (np,) = struct.unpack_from(">i", b, pos)
        pos += 4
        out[topic] = sorted(struct.unpack_from(">%di" % np, b, pos))
        pos += 4 * np
    return out


def group_view(gid, error, state, protocol_type, protocol, members):
    """One group in the shape the tests compare; members are (id, client_id, client_host, assignment)."""
    return {
        "id": gid,
        "error": error,
        "state": state,
        "protocol_type": protocol_type,
        "protocol": protocol,
        "members": sorted(
            [{"id": i, "client_id": c, "client_host": h, "assignment": a} for i, c, h, a in members],
            key=lambda m: m["client_id"] + m["id"],
        ),
    }


def confluent_list_groups(req):
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": req["bootstrap"], "socket.timeout.ms": 10000})
    groups = admin.list_groups(req.get("group"), timeout=10)
    return {
        "groups": [
            group_view(
                g.id,
                None if g.error is None else str(g.error),
                g.state,
                g.protocol_type,
                g.protocol,
                [(m.id, m.client_id, m.client_host, decode_assignment(m.assignment)) for m in g.members],
            )
            for g in groups
        ]
    }


def kp_admin(req):
    from kafka import KafkaAdminClient

    return KafkaAdminClient(bootstrap_servers=req["bootstrap"], request_timeout_ms=15000)


def kp_list_groups(req):
    admin = kp_admin(req)
    try:
        return {"groups": sorted([list(g) for g in admin.list_consumer_groups()])}
    finally:
        admin.close()


def kp_assignment(a):
    if a is None:
        return {}
    if isinstance(a, (bytes, bytearray)):
        return decode_assignment(bytes(a))
    return {topic: sorted(parts) for topic, parts in a.assignment}


def kp_describe_groups(req):
    admin = kp_admin(req)
    try:
        out = []
        for g in admin.describe_consumer_groups(req["groups"]):
            members = [(m.member_id, m.client_id, m.client_host, kp_assignment(m.member_assignment)) for m in g.members]
            out.append(group_view(g.group, g.error_code, g.state, g.protocol_type, g.protocol, members))
        return {"groups": out}
    finally:
        admin.close()


def kp_group_offsets(req):
    admin = kp_admin(req)
    try:
        res = admin.list_consumer_group_offsets(req["group"])
        return {
            "offsets": {"%s/%d" % (tp.topic, tp.partition): {"offset": om.offset, "metadata": om.metadata} for tp, om in res.items()}
        }
    finally:
        admin.close()


def kp_simple_commit(req):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    c = KafkaConsumer(
        bootstrap_servers=req["bootstrap"], group_id=req["group"], enable_auto_commit=False, request_timeout_ms=15000
    )
    try:
        tps = {int(p): TopicPartition(req["topic"], int(p)) for p in req["offsets"]}
        c.assign(list(tps.values()))
        c.commit({tps[int(p)]: OffsetAndMetadata(o, req.get("metadata", "")) for p, o in req["offsets"].items()})
        out = {}
        for p, tp in tps.items():
            om = c.committed(tp, metadata=True)
            out[str(p)] = None if om is None else {"offset": om.offset, "metadata": om.metadata}
        return {"committed": out}
    finally:
        c.close()


if __name__ == "__main__":
    serve(
        {
            "confluent_list_groups": confluent_list_groups,
            "kp_list_groups": kp_list_groups,
            "kp_describe_groups": kp_describe_groups,
            "kp_group_offsets": kp_group_offsets,
            "kp_simple_commit": kp_simple_commit,
        }
    )
