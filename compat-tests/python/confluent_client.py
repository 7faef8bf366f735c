"""confluent-kafka-python (librdkafka) side of the compat tests.

Reads one JSON request on stdin, prints one JSON answer on stdout; diagnostics go to stderr.
  {"op": "create_topic", "bootstrap", "topic", "partitions"}
  {"op": "produce", "bootstrap", "topic", "records": [{key, value, headers, partition?}], "config": {}}
      -> {"delivered": [{"partition", "offset"}]}   (in send order)
  {"op": "consume", "bootstrap", "topic", "partitions": [..], "config": {}}
      -> {"records": [{partition, offset, key, value, headers}], "errors": [..]}
The consumer assigns partitions at OFFSET_BEGINNING and never commits, so no group coordinator is
needed; confluent-kafka still insists on a group.id, which is why one is set.
"""
import sys
import time

from common import serve, text

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def create_topic(req):
    admin = AdminClient({"bootstrap.servers": req["bootstrap"], "socket.timeout.ms": 10000})
    futures = admin.create_topics(
        [NewTopic(req["topic"], num_partitions=req.get("partitions", 1), replication_factor=1)],
        operation_timeout=10,
        request_timeout=15,
    )
    for f in futures.values():
        f.result(timeout=20)
    md = admin.list_topics(topic=req["topic"], timeout=10)
    t = md.topics[req["topic"]]
    if t.error is not None:
        raise RuntimeError("metadata for %s: %s" % (req["topic"], t.error))
    return {"partitions": sorted(t.partitions.keys())}


def produce(req):
    conf = {
        "bootstrap.servers": req["bootstrap"],
        "enable.idempotence": False,
        "linger.ms": 5,
        "partitioner": "murmur2_random",
        "socket.timeout.ms": 10000,
        "message.timeout.ms": 20000,
    }
    conf.update(req.get("config", {}))
    p = Producer(conf)
    delivered = [None] * len(req["records"])
    errors = []

    def report(i):
        def cb(err, msg):
            if err is not None:
                errors.append("record %d: %s" % (i, err))
            else:
                delivered[i] = {"partition": msg.partition(), "offset": msg.offset()}

        return cb

    for i, r in enumerate(req["records"]):
        kwargs = {
            "key": r["key"].encode("utf-8"),
            "value": r["value"].encode("utf-8"),
            "headers": [(k, v.encode("utf-8")) for k, v in r.get("headers", [])],
            "on_delivery": report(i),
        }
        if r.get("partition") is not None:
            kwargs["partition"] = r["partition"]
        p.produce(req["topic"], **kwargs)
        p.poll(0)
    left = p.flush(30)
    if left or errors or any(d is None for d in delivered):
        raise RuntimeError("undelivered=%d errors=%s" % (left, errors[:5]))
    return {"delivered": delivered}


def consume(req):
    conf = {
        "bootstrap.servers": req["bootstrap"],
        "group.id": "samsa-compat-unused",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
        "enable.partition.eof": True,
        "fetch.wait.max.ms": 20,
        "socket.timeout.ms": 10000,
    }
    conf.update(req.get("config", {}))
    c = Consumer(conf)
    parts = req["partitions"]
    c.assign([TopicPartition(req["topic"], p, OFFSET_BEGINNING) for p in parts])
    at_eof = set()
    records = []
    errors = []
    deadline = time.time() + req.get("timeout", 20)
    while len(at_eof) < len(parts):
        if time.time() > deadline:
            raise RuntimeError("timed out; eof on %s, %d records, errors %s" % (sorted(at_eof), len(records), errors[:5]))
        m = c.poll(0.2)
        if m is None:
            continue
        if m.error() is not None:
            if m.error().code() == KafkaError._PARTITION_EOF:
                at_eof.add(m.partition())
            else:
                errors.append(str(m.error()))
                log("consumer error:", m.error())
            continue
        # a partition that gets records after its EOF event is not at its end any more
        at_eof.discard(m.partition())
        records.append(
            {
                "partition": m.partition(),
                "offset": m.offset(),
                "key": text(m.key()),
                "value": text(m.value()),
                "headers": [[k, text(v)] for k, v in (m.headers() or [])],
            }
        )
    c.close()
    return {"records": records, "errors": errors}


if __name__ == "__main__":
    serve({"create_topic": create_topic, "produce": produce, "consume": consume})
