package io.otpflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The processes of a run (this driver, the services' JVM, the Kafka JVM, redis-server): resident
 * memory sampled every second, and CPU time from /proc, so a report can say what each request cost
 * each process and whether memory stays bounded. Linux only; elsewhere the numbers are left out.
 */
final class Processes implements AutoCloseable {
  /** Linux's USER_HZ, the unit of utime and stime in /proc/[pid]/stat, is 100 on every common kernel. */
  private static final double TICKS_PER_SECOND = 100;

  private final Map<String, Long> pids = new LinkedHashMap<>();
  private final Map<String, Long> maxRssKb = new ConcurrentHashMap<>();
  private final Map<String, Long> firstRssKb = new ConcurrentHashMap<>();
  private final Thread sampler;
  private volatile boolean running = true;

  Processes(Map<String, Long> pids) {
    this.pids.putAll(pids);
    sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
      while (running) {
        sample();
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** The child process of this JVM whose command line contains {@code marker} (the Kafka JVM, redis-server). */
  static Optional<Long> child(String marker) {
    return ProcessHandle.current().children()
        .filter(p -> commandLine(p.pid()).contains(marker))
        .map(ProcessHandle::pid)
        .findFirst();
  }

  /** From /proc: ProcessHandle.Info leaves out the command line of a process with a very long one (a class path). */
  private static String commandLine(long pid) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"))).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  Map<String, Long> pids() {
    return pids;
  }

  private void sample() {
    pids.forEach((name, pid) -> rssKb(pid).ifPresent(kb -> {
      firstRssKb.putIfAbsent(name, kb);
      maxRssKb.merge(name, kb, Math::max);
    }));
  }

  /** CPU seconds (user + system) each process has used so far. */
  Map<String, Double> cpuSeconds() {
    Map<String, Double> cpu = new LinkedHashMap<>();
    pids.forEach((name, pid) -> cpuTicks(pid).ifPresent(t -> cpu.put(name, t / TICKS_PER_SECOND)));
    return cpu;
  }

  /** Resident memory now, in MiB. */
  Map<String, Double> rssMib() {
    Map<String, Double> rss = new LinkedHashMap<>();
    pids.forEach((name, pid) -> rssKb(pid).ifPresent(kb -> rss.put(name, kb / 1024.0)));
    return rss;
  }

  /** Per process: first sample, largest sample and now, in MiB. */
  Map<String, Map<String, Double>> rssSummary() {
    sample();
    Map<String, Map<String, Double>> summary = new LinkedHashMap<>();
    Map<String, Double> now = rssMib();
    pids.keySet().forEach(name -> {
      if (firstRssKb.containsKey(name)) {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("first", firstRssKb.get(name) / 1024.0);
        s.put("max", maxRssKb.get(name) / 1024.0);
        s.put("last", now.getOrDefault(name, Double.NaN));
        summary.put(name, s);
      }
    });
    return summary;
  }

  /** 1, 5 and 15 minute load averages, or empty where /proc/loadavg does not exist. */
  static List<Double> loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return List.of(Double.valueOf(f[0]), Double.valueOf(f[1]), Double.valueOf(f[2]));
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  private static Optional<Long> rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return Optional.empty();
  }

  private static Optional<Long> cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(Long.parseLong(f[11]) + Long.parseLong(f[12]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
