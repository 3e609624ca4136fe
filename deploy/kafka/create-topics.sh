#!/bin/sh
# Topic-init one-shot: create every event topic and dead-letter topic before the services start.
# Event topics keep their events (retention.ms=-1): a new projection is rebuilt by reading its
# source topic from the beginning. Dead-letter topics keep 90 days for the operator to replay.
set -eu
: "${KAFKA_BOOTSTRAP:?}" "${TOPICS:?}" "${PARTITIONS:?}" "${REPLICATION:?}" "${MIN_INSYNC_REPLICAS:?}"
DLQ_RETENTION_MS=7776000000

for topic in $TOPICS; do
  case "$topic" in
    *.dlq.*) retention="$DLQ_RETENTION_MS" ;;
    *) retention=-1 ;;
  esac
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BOOTSTRAP" --create --if-not-exists \
    --topic "$topic" --partitions "$PARTITIONS" --replication-factor "$REPLICATION" \
    --config retention.ms="$retention" --config min.insync.replicas="$MIN_INSYNC_REPLICAS"
done
/opt/kafka/bin/kafka-topics.sh --bootstrap-server "$KAFKA_BOOTSTRAP" --describe --topic 'diaodu\..*'
