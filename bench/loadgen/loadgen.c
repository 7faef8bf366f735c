/*
 * loadgen: a librdkafka load generator for samsa's throughput benchmark.
 *
 *   loadgen produce -b HOST:PORT -t TOPIC -n RECORDS -s BYTES [-a ACKS] [-z CODEC] [-T SECONDS]
 *   loadgen consume -b HOST:PORT -t TOPIC [-n EXPECTED] [-T SECONDS]
 *
 * produce sends RECORDS values of BYTES bytes (no key) as fast as librdkafka can batch them, waits
 * for every delivery report, and prints one JSON line with records/s and MB/s (MB = 10^6 bytes of
 * record values). consume reads every partition of TOPIC from the beginning to the end offsets seen
 * at start (no consumer group: the legacy per-partition consumer, as kcat -C does) and prints the
 * same. -T bounds the run: production stops at the deadline and the report says it was cut short.
 * The exit status is 0 only when every record produced was acknowledged / every expected one read.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *detail) {
  fprintf(stderr, "loadgen: %s: %s\n", what, detail);
  exit(2);
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name, value, err, sizeof err) != RD_KAFKA_CONF_OK) die(name, err);
}

struct opts {
  const char *mode, *brokers, *topic, *acks, *codec;
  long long records;
  long size;
  double max_seconds;
};

static void usage(void) {
  fprintf(stderr,
          "usage: loadgen produce -b HOST:PORT -t TOPIC -n RECORDS -s BYTES [-a ACKS] [-z CODEC] [-T SECONDS]\n"
          "       loadgen consume -b HOST:PORT -t TOPIC [-n EXPECTED] [-T SECONDS]\n");
  exit(64);
}

static struct opts parse(int argc, char **argv) {
  struct opts o = {.acks = "1", .codec = "none", .records = -1, .size = 100, .max_seconds = 120};
  if (argc < 2) usage();
  o.mode = argv[1];
  int c;
  optind = 2;
  while ((c = getopt(argc, argv, "b:t:n:s:a:z:T:")) != -1) {
    switch (c) {
    case 'b': o.brokers = optarg; break;
    case 't': o.topic = optarg; break;
    case 'n': o.records = atoll(optarg); break;
    case 's': o.size = atol(optarg); break;
    case 'a': o.acks = optarg; break;
    case 'z': o.codec = optarg; break;
    case 'T': o.max_seconds = atof(optarg); break;
    default: usage();
    }
  }
  if (!o.brokers || !o.topic) usage();
  if (strcmp(o.mode, "produce") == 0 && (o.records <= 0 || o.size < 0)) usage();
  return o;
}

static void report(const char *mode, long long records, long long bytes, double secs, int complete) {
  printf("{\"mode\":\"%s\",\"records\":%lld,\"bytes\":%lld,\"seconds\":%.4f,"
         "\"records_per_s\":%.1f,\"mb_per_s\":%.3f,\"complete\":%s}\n",
         mode, records, bytes, secs, secs > 0 ? records / secs : 0.0, secs > 0 ? bytes / secs / 1e6 : 0.0,
         complete ? "true" : "false");
  fflush(stdout);
}

static long long delivered, failed;
static char first_error[512];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) snprintf(first_error, sizeof first_error, "%s", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static int produce(const struct opts *o) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", o->brokers);
  set(conf, "acks", o->acks);
  set(conf, "enable.idempotence", "false");
  set(conf, "compression.codec", o->codec);
  // big, briefly lingering batches: throughput over latency
  set(conf, "linger.ms", "5");
  set(conf, "batch.size", "1000000");
  set(conf, "batch.num.messages", "100000");
  set(conf, "queue.buffering.max.messages", "1000000");
  set(conf, "queue.buffering.max.kbytes", "1048576");
  set(conf, "message.timeout.ms", "60000");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new", err);

  char *value = malloc(o->size > 0 ? (size_t)o->size : 1);
  if (!value) die("malloc", strerror(errno));
  for (long i = 0; i < o->size; i++) value[i] = (char)('a' + (i * 7 + i / 13) % 26);

  double start = now(), deadline = start + o->max_seconds;
  long long sent = 0;
  int cut_short = 0;
  while (sent < o->records) {
    if ((sent & 1023) == 0 && now() > deadline) {
      cut_short = 1;
      break;
    }
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_VALUE(value, (size_t)o->size),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 5);
      continue;
    }
    if (e) die("produce", rd_kafka_err2str(e));
    sent++;
    if ((sent & 4095) == 0) rd_kafka_poll(rk, 0);
  }
  while (rd_kafka_outq_len(rk) > 0 && now() < deadline + 10) rd_kafka_poll(rk, 50);
  if (rd_kafka_outq_len(rk) > 0) {
    cut_short = 1;
    fprintf(stderr, "loadgen: %d records still unacknowledged at the time limit\n", rd_kafka_outq_len(rk));
  }
  double secs = now() - start;
  report("produce", delivered, delivered * (long long)o->size, secs, !cut_short && delivered == o->records);
  if (failed) fprintf(stderr, "loadgen: %lld deliveries failed, first: %s\n", failed, first_error);
  if (cut_short) fprintf(stderr, "loadgen: stopped at the %.0f s limit after %lld records\n", o->max_seconds, sent);
  int ok = !failed && !cut_short && delivered == o->records;
  free(value);
  rd_kafka_destroy(rk);
  return ok ? 0 : 1;
}

static int consume(const struct opts *o) {
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  set(conf, "bootstrap.servers", o->brokers);
  set(conf, "enable.partition.eof", "true");
  set(conf, "fetch.wait.max.ms", "100");
  set(conf, "fetch.max.bytes", "52428800");
  set(conf, "max.partition.fetch.bytes", "8388608");
  set(conf, "queued.min.messages", "1000000");
  set(conf, "queued.max.messages.kbytes", "1048576");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new", err);
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);

  const struct rd_kafka_metadata *md;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (e) die("metadata", rd_kafka_err2str(e));
  if (md->topic_cnt != 1 || md->topics[0].err) die("metadata", md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "no topic");
  int partitions = md->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(md);
  if (partitions <= 0) die("metadata", "topic has no partitions");

  rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
  double start = now(), deadline = start + o->max_seconds;
  for (int p = 0; p < partitions; p++) {
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) == -1)
      die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
  }
  long long records = 0, bytes = 0;
  int at_eof = 0;
  int *eof = calloc((size_t)partitions, sizeof *eof);
  rd_kafka_message_t *batch[10000];
  while (at_eof < partitions && now() < deadline) {
    ssize_t n = rd_kafka_consume_batch_queue(q, 100, batch, 10000);
    if (n < 0) die("consume", rd_kafka_err2str(rd_kafka_last_error()));
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = batch[i];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (!eof[m->partition]) {
          eof[m->partition] = 1;
          at_eof++;
        }
      } else if (m->err) {
        fprintf(stderr, "loadgen: consume error on partition %d: %s\n", m->partition, rd_kafka_message_errstr(m));
      } else {
        records++;
        bytes += (long long)m->len;
      }
      rd_kafka_message_destroy(m);
    }
  }
  double secs = now() - start;
  int complete = at_eof == partitions && (o->records < 0 || records == o->records);
  report("consume", records, bytes, secs, complete);
  if (!complete) fprintf(stderr, "loadgen: read %lld records, %d of %d partitions at end\n", records, at_eof, partitions);
  for (int p = 0; p < partitions; p++) rd_kafka_consume_stop(rkt, p);
  free(eof);
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return complete ? 0 : 1;
}

int main(int argc, char **argv) {
  struct opts o = parse(argc, argv);
  if (strcmp(o.mode, "produce") == 0) return produce(&o);
  if (strcmp(o.mode, "consume") == 0) return consume(&o);
  usage();
  return 64;
}
