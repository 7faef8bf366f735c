# Transactions with confluent-kafka-python (librdkafka): commit, abort, fencing, and what read_committed
# and read_uncommitted consumers see. Prints one JSON object.
import json, sys, uuid
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, topic = sys.argv[1], sys.argv[2]
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, 1, 1)]).values():
    f.result(30)

txid = 'txn-' + uuid.uuid4().hex
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txid, 'transaction.timeout.ms': 60000})
p.init_transactions(30)
def txn(prefix, n, commit):
    p.begin_transaction()
    for i in range(n):
        p.produce(topic, value=f'{prefix}{i}'.encode(), partition=0)
    p.flush(30)
    if commit:
        p.commit_transaction(30)
    else:
        p.abort_transaction(30)
txn('c', 10, True)
txn('a', 10, False)
txn('d', 5, True)

# A second producer with the same transactional.id fences the first.
p2 = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txid})
p2.init_transactions(30)
fenced = False
try:
    p.begin_transaction()
    p.produce(topic, value=b'zombie', partition=0)
    p.commit_transaction(10)
except KafkaException as e:
    fenced = e.args[0].fatal() or 'fenc' in str(e).lower()
p2.begin_transaction()
p2.produce(topic, value=b'e0', partition=0)
p2.commit_transaction(30)

idem = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True})
for i in range(20):
    idem.produce(topic, value=f'i{i}'.encode(), partition=0)
idem.flush(30)

def consume(isolation):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'g-' + uuid.uuid4().hex, 'isolation.level': isolation,
                  'enable.auto.commit': False, 'enable.partition.eof': True, 'auto.offset.reset': 'earliest'})
    c.assign([TopicPartition(topic, 0, 0)])
    out = []
    while True:
        m = c.poll(10)
        if m is None:
            break
        if m.error():
            if m.error().code() == -191:  # _PARTITION_EOF
                break
            continue
        out.append(m.value().decode())
    c.close()
    return out

print(json.dumps({'fenced': fenced, 'committed': consume('read_committed'), 'uncommitted': consume('read_uncommitted')}))
