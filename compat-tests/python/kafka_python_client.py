"""kafka-python side of the compat tests (same request/answer shapes as confluent_client.py).

The consumer has no group (group_id=None): it assigns partitions, seeks to the beginning and reads
up to the end offsets it asked for with ListOffsets.
"""
import time

from common import serve, text

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic


def create_topic(req):
    admin = KafkaAdminClient(bootstrap_servers=req["bootstrap"], request_timeout_ms=15000)
    admin.create_topics([NewTopic(req["topic"], req.get("partitions", 1), 1)], timeout_ms=10000)
    admin.close()
    return {}


def produce(req):
    conf = {"bootstrap_servers": req["bootstrap"], "acks": 1, "linger_ms": 5, "request_timeout_ms": 15000}
    conf.update(req.get("config", {}))
    p = KafkaProducer(**conf)
    futures = []
    for r in req["records"]:
        futures.append(
            p.send(
                req["topic"],
                key=r["key"].encode("utf-8"),
                value=r["value"].encode("utf-8"),
                headers=[(k, v.encode("utf-8")) for k, v in r.get("headers", [])],
                partition=r.get("partition"),
            )
        )
    p.flush(30)
    delivered = []
    for f in futures:
        md = f.get(timeout=30)
        delivered.append({"partition": md.partition, "offset": md.offset})
    p.close(10)
    return {"delivered": delivered}


def consume(req):
    conf = {
        "bootstrap_servers": req["bootstrap"],
        "group_id": None,
        "enable_auto_commit": False,
        "fetch_max_wait_ms": 20,
        "request_timeout_ms": 15000,
    }
    conf.update(req.get("config", {}))
    c = KafkaConsumer(**conf)
    tps = [TopicPartition(req["topic"], p) for p in req["partitions"]]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    end = c.end_offsets(tps)
    records = []
    deadline = time.time() + req.get("timeout", 20)
    while any(c.position(tp) < end[tp] for tp in tps):
        if time.time() > deadline:
            raise RuntimeError(
                "timed out: positions %s, ends %s" % ({tp.partition: c.position(tp) for tp in tps}, {tp.partition: e for tp, e in end.items()})
            )
        for tp, msgs in c.poll(timeout_ms=200).items():
            for m in msgs:
                records.append(
                    {
                        "partition": m.partition,
                        "offset": m.offset,
                        "key": text(m.key),
                        "value": text(m.value),
                        "headers": [[k, text(v)] for k, v in (m.headers or [])],
                    }
                )
    c.close()
    return {"records": records, "ends": {str(tp.partition): e for tp, e in end.items()}}


if __name__ == "__main__":
    serve({"create_topic": create_topic, "produce": produce, "consume": consume})
