package dev.rolloutledger.topology;

import dev.rolloutledger.domain.HostCommand;
import dev.rolloutledger.schemas.commands.CommandSignatures;
import dev.rolloutledger.schemas.commands.CommandSigningKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.specific.SpecificRecord;

/**
 * Signs a decision's commands and hands them on in their order, signing on every core while the
 * caller hands on what is signed. A halt signs a Hold for every host of a chunk (5,000; Ed25519 is
 * about 34 µs a signature here, load-tests/RESULTS.md): signing all of them first and handing them
 * on after would leave the other cores idle while the caller serializes and produces. Here the
 * commands are cut into batches; the common pool's workers and the caller claim batches in order,
 * and the caller hands each batch on as soon as it is signed, signing the next unclaimed one itself
 * while it waits. Ed25519 is deterministic: the records are the same, in the same order, as signed
 * one by one.
 */
final class CommandSigner {

  /** Below this many commands a decision is signed on the caller's thread alone. */
  static final int PARALLEL_MIN = 256;

  /** Commands a batch: small enough to keep every core busy until the end of a chunk. */
  static final int BATCH = 128;

  private final CommandSigningKey key;

  CommandSigner(CommandSigningKey key) {
    this.key = key;
  }

  SpecificRecord sign(HostCommand command) {
    return CommandSignatures.sign(AvroMapper.toAvro(command), key.keyId(), key.privateKey());
  }

  /** Signs {@code commands} and gives each, in order, to {@code out} with its signed record. */
  void signAll(List<HostCommand> commands, Output out) {
    int workers = ForkJoinPool.getCommonPoolParallelism();
    if (commands.size() < PARALLEL_MIN || workers < 1) {
      for (HostCommand command : commands) {
        out.accept(command, sign(command));
      }
      return;
    }
    Batches batches = new Batches(commands);
    for (int w = 0; w < workers; w++) {
      ForkJoinPool.commonPool().execute(batches::work);
    }
    try {
      for (int b = 0; b < batches.count; b++) {
        List<SpecificRecord> signed;
        while ((signed = batches.done.get(b)) == null) {
          batches.rethrow();
          if (!batches.signNext()) {
            LockSupport.parkNanos(20_000); // every batch is claimed: a worker is on this one
          }
        }
        int from = b * BATCH;
        for (int i = 0; i < signed.size(); i++) {
          out.accept(commands.get(from + i), signed.get(i));
        }
      }
    } finally {
      batches.claimed.set(batches.count); // an exception: the workers stop at their next claim
    }
  }

  /** Where signed commands go, in order. */
  @FunctionalInterface
  interface Output {
    void accept(HostCommand command, SpecificRecord signed);
  }

  private final class Batches {
    final List<HostCommand> commands;
    final int count;
    final AtomicInteger claimed = new AtomicInteger();
    final AtomicReferenceArray<List<SpecificRecord>> done;
    volatile RuntimeException failure;

    Batches(List<HostCommand> commands) {
      this.commands = commands;
      this.count = (commands.size() + BATCH - 1) / BATCH;
      this.done = new AtomicReferenceArray<>(count);
    }

    /** A worker's loop: signs batches until none is left unclaimed. */
    void work() {
      while (signNext()) {
        // next
      }
    }

    /** Claims the next batch and signs it; false when every batch is claimed. */
    boolean signNext() {
      int b = claimed.getAndIncrement();
      if (b >= count) {
        return false;
      }
      try {
        int from = b * BATCH;
        int to = Math.min(commands.size(), from + BATCH);
        List<SpecificRecord> signed = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          signed.add(sign(commands.get(i)));
        }
        done.set(b, signed);
      } catch (RuntimeException e) {
        failure = e;
        claimed.set(count);
      }
      return true;
    }

    void rethrow() {
      RuntimeException e = failure;
      if (e != null) {
        throw e;
      }
    }
  }
}
