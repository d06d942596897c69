package dev.rolloutledger.loadtests.fleet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Consumer lag of the topology's group on the topics it reads, as an operator would measure it: the
 * end offsets minus the offsets the group committed (with exactly_once_v2 a commit is also the
 * moment its outputs become visible, so committed offsets are what the outside world sees).
 */
public final class LagMeter {
  private final Admin admin;
  private final String group;
  private final Map<String, List<TopicPartition>> partitions = new HashMap<>();

  public LagMeter(Admin admin, String group, Collection<String> topics) {
    this.admin = admin;
    this.group = group;
    try {
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get()
          .forEach(
              (name, d) -> {
                List<TopicPartition> tps = new ArrayList<>();
                d.partitions().forEach(p -> tps.add(new TopicPartition(name, p.partition())));
                partitions.put(name, tps);
              });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot describe " + topics + ": " + e.getCause(), e);
    }
  }

  public int partitionsOf(String topic) {
    return partitions.get(topic).size();
  }

  /** Per topic: end offset sum, committed offset sum and lag (end - committed). */
  public record Reading(Map<String, long[]> byTopic) {
    public long lag(String topic) {
      return byTopic.get(topic)[2];
    }

    public long committed(String topic) {
      return byTopic.get(topic)[1];
    }

    public long end(String topic) {
      return byTopic.get(topic)[0];
    }

    public long totalLag() {
      return byTopic.values().stream().mapToLong(v -> v[2]).sum();
    }
  }

  public Reading read() {
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.values().forEach(l -> l.forEach(tp -> latest.put(tp, OffsetSpec.latest())));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<String, long[]> byTopic = new HashMap<>();
      partitions.forEach(
          (topic, tps) -> {
            long[] v = new long[3];
            for (TopicPartition tp : tps) {
              long end = ends.get(tp).offset();
              OffsetAndMetadata c = committed.get(tp);
              long at = c == null ? 0 : c.offset();
              v[0] += end;
              v[1] += at;
              v[2] += Math.max(0, end - at);
            }
            byTopic.put(topic, v);
          });
      return new Reading(byTopic);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot read the lag of " + group + ": " + e.getCause(), e);
    }
  }
}
