"""One long-running consumer-group member (confluent-kafka-python or kafka-python) for the group tests.

Started with one JSON argument:
  {"client": "confluent" | "kafka-python", "bootstrap", "topic", "group", "config": {},
   "commit_each": bool (synchronous commit of each record after it is reported),
   "limit": N (close and exit after reporting N records), "metadata": str (commit metadata)}
It prints one JSON event per line on stdout, flushed at once:
  {"ev": "started"} {"ev": "assigned", "partitions": [..], "assignment": [..]}
  {"ev": "revoked", "partitions": [..], "assignment": [..]}
  {"ev": "record", partition, offset, key, value, headers}
  {"ev": "committed", "offsets": {p: offset}} {"ev": "committed_offsets", "offsets": {p: {offset, metadata}}}
  {"ev": "error", "error"} {"ev": "closed"}
and reads commands, one JSON object per line, on stdin:
  {"cmd": "commit"}  commit the current positions synchronously
  {"cmd": "commit", "offsets": {p: offset}, "metadata": str}  commit these (kafka-python keeps metadata)
  {"cmd": "committed", "partitions": [..]}  ask the coordinator (OffsetFetch) what is committed
  {"cmd": "close"}  leave the group cleanly and exit
"""
import json
import queue
import sys
import threading
import time

from common import text

REQ = json.loads(sys.argv[1])
COMMANDS = queue.Queue()
state = {"assignment": set(), "processed": 0}


def emit(ev, **kw):
    kw["ev"] = ev
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def read_stdin():
    for line in sys.stdin:
        line = line.strip()
        if line:
            COMMANDS.put(json.loads(line))
    # the test process went away: behave as if told to close
    COMMANDS.put({"cmd": "close"})


def record_event(partition, offset, key, value, headers):
    emit("record", partition=partition, offset=offset, key=text(key), value=text(value),
         headers=[[k, text(v)] for k, v in (headers or [])])


class Confluent:
    def __init__(self):
        from confluent_kafka import Consumer

        conf = {
            "bootstrap.servers": REQ["bootstrap"],
            "group.id": REQ["group"],
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": 20,
            "socket.timeout.ms": 10000,
            "session.timeout.ms": 3000,
            "heartbeat.interval.ms": 300,
            "max.poll.interval.ms": 10000,
            "topic.metadata.refresh.interval.ms": 1000,
        }
        conf.update(REQ.get("config", {}))
        self.cooperative = conf.get("partition.assignment.strategy") == "cooperative-sticky"
        self.c = Consumer(conf)
        self.c.subscribe([REQ["topic"]], on_assign=self.on_assign, on_revoke=self.on_revoke)

    def on_assign(self, c, parts):
        ps = sorted(p.partition for p in parts)
        if self.cooperative:
            state["assignment"] |= set(ps)
            c.incremental_assign(parts)
        else:
            state["assignment"] = set(ps)
            c.assign(parts)
        emit("assigned", partitions=ps, assignment=sorted(state["assignment"]))

    def on_revoke(self, c, parts):
        ps = sorted(p.partition for p in parts)
        if self.cooperative:
            state["assignment"] -= set(ps)
            c.incremental_unassign(parts)
        else:
            state["assignment"] = set()
            c.unassign()
        emit("revoked", partitions=ps, assignment=sorted(state["assignment"]))

    def poll(self):
        from confluent_kafka import KafkaError

        m = self.c.poll(0.05)
        if m is None:
            return
        if m.error() is not None:
            if m.error().code() != KafkaError._PARTITION_EOF:
                emit("error", error=str(m.error()))
            return
        record_event(m.partition(), m.offset(), m.key(), m.value(), m.headers())
        if REQ.get("commit_each"):
            self.c.commit(message=m, asynchronous=False)
        processed()

    def commit(self, cmd):
        from confluent_kafka import TopicPartition

        if "offsets" in cmd:
            tps = [TopicPartition(REQ["topic"], int(p), o) for p, o in cmd["offsets"].items()]
            res = self.c.commit(offsets=tps, asynchronous=False)
        else:
            res = self.c.commit(asynchronous=False)
        return {str(tp.partition): tp.offset for tp in res or []}

    def committed(self, partitions):
        from confluent_kafka import TopicPartition

        res = self.c.committed([TopicPartition(REQ["topic"], p) for p in partitions], timeout=10)
        return {str(tp.partition): {"offset": tp.offset, "metadata": None} for tp in res}

    def close(self):
        self.c.close()


class KafkaPython:
    def __init__(self):
        from kafka import KafkaConsumer
        from kafka.consumer.subscription_state import ConsumerRebalanceListener

        conf = {
            "bootstrap_servers": REQ["bootstrap"],
            "group_id": REQ["group"],
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "fetch_max_wait_ms": 20,
            "request_timeout_ms": 15000,
            "session_timeout_ms": 3000,
            "heartbeat_interval_ms": 300,
            "max_poll_interval_ms": 10000,
            "metadata_max_age_ms": 1000,
        }
        conf.update(REQ.get("config", {}))
        self.c = KafkaConsumer(**conf)

        class Listener(ConsumerRebalanceListener):
            def on_partitions_revoked(self, revoked):
                state["assignment"] = set()
                emit("revoked", partitions=sorted(tp.partition for tp in revoked), assignment=[])

            def on_partitions_assigned(self, assigned):
                state["assignment"] = set(tp.partition for tp in assigned)
                emit("assigned", partitions=sorted(state["assignment"]), assignment=sorted(state["assignment"]))

        self.c.subscribe([REQ["topic"]], listener=Listener())

    def poll(self):
        for tp, msgs in self.c.poll(timeout_ms=50, max_records=1 if REQ.get("limit") else 500).items():
            for m in msgs:
                record_event(m.partition, m.offset, m.key, m.value, m.headers)
                if REQ.get("commit_each"):
                    from kafka.structs import OffsetAndMetadata

                    self.c.commit({tp: OffsetAndMetadata(m.offset + 1, REQ.get("metadata", ""))})
                processed()

    def commit(self, cmd):
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        if "offsets" in cmd:
            offsets = {
                TopicPartition(REQ["topic"], int(p)): OffsetAndMetadata(o, cmd.get("metadata", ""))
                for p, o in cmd["offsets"].items()
            }
            self.c.commit(offsets)
            return {str(tp.partition): om.offset for tp, om in offsets.items()}
        self.c.commit()
        return {str(tp.partition): self.c.position(tp) for tp in self.c.assignment()}

    def committed(self, partitions):
        from kafka import TopicPartition

        out = {}
        for p in partitions:
            om = self.c.committed(TopicPartition(REQ["topic"], p), metadata=True)
            out[str(p)] = None if om is None else {"offset": om.offset, "metadata": om.metadata}
        return out

    def close(self):
        self.c.close()


class Done(Exception):
    pass


def processed():
    state["processed"] += 1
    if REQ.get("limit") and state["processed"] >= REQ["limit"]:
        raise Done()


def main():
    threading.Thread(target=read_stdin, daemon=True).start()
    member = Confluent() if REQ["client"] == "confluent" else KafkaPython()
    emit("started")
    try:
        while True:
            try:
                cmd = COMMANDS.get_nowait()
            except queue.Empty:
                cmd = None
            if cmd is not None:
                if cmd["cmd"] == "close":
                    break
                try:
                    if cmd["cmd"] == "commit":
                        emit("committed", offsets=member.commit(cmd))
                    elif cmd["cmd"] == "committed":
                        emit("committed_offsets", offsets=member.committed(cmd["partitions"]))
                except Exception as e:  # reported to the test, which decides
                    emit("error", error="%s: %r" % (cmd["cmd"], e))
                continue
            member.poll()
    except Done:
        pass
    t0 = time.time()
    member.close()
    emit("closed", seconds=round(time.time() - t0, 3))


if __name__ == "__main__":
    main()
