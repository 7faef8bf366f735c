# An idempotent confluent-kafka-python (librdkafka) producer writing N numbered values to one partition,
# paced so that the broker restarts the test performs land mid-stream and force retries. Prints one
# JSON object: the values whose delivery was reported successful, and the delivery errors.
import json, sys, time
from confluent_kafka import Producer

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 5,
              'message.timeout.ms': 60000, 'reconnect.backoff.ms': 50, 'reconnect.backoff.max.ms': 200,
              'retry.backoff.ms': 50})
delivered, errors = [], []
def report(err, msg):
    if err is None:
        delivered.append(msg.value().decode())
    else:
        errors.append(str(err))
for i in range(n):
    while True:
        try:
            p.produce(topic, value=f'r{i}'.encode(), partition=0, on_delivery=report)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    time.sleep(0.002)
left = p.flush(60)
print(json.dumps({'delivered': delivered, 'errors': errors, 'undelivered': left}))
