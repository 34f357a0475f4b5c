// Load on loopback: concurrent clients post images and tensors for a while; every answer must be the direct one.
package dev.condense.samples.serve;

import dev.condense.runtime.ImageClassifier;
import dev.condense.runtime.SessionOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@value #DEFAULT_CLIENTS} clients (system property {@code serve.loadtest.clients}) for
 * {@value #DEFAULT_SECONDS} seconds ({@code serve.loadtest.seconds}), each sending one request
 * after another: a PNG, then the same image as a JSON tensor, then as float32, cycling through
 * {@value #IMAGES} test images. The server has one worker per core and room in its queue for
 * every client, so no request may be refused. Prints requests, throughput and latency
 * percentiles; samples/serve/README.md records a run.
 */
class ModelServerLoadTest {

    static final int DEFAULT_CLIENTS = 16;
    static final int DEFAULT_SECONDS = 30;
    static final int IMAGES = 64;
    /**
     * Fewest requests per second of the run that pass: far below what a 2-core machine shared with
     * builds reaches (about a thousand a second), so only a server that stalls fails it.
     */
    static final int MIN_REQUESTS_PER_SECOND = 50;

    @TempDir
    Path dir;

    /** What one client saw. */
    private record ClientLog(long[] latencyNanos, int requests, List<String> failures) {
    }

    private enum Kind { PNG, JSON, FLOAT32 }

    @Test
    void concurrentClientsGetTheDirectAnswers() throws Exception {
        int clients = Integer.getInteger("serve.loadtest.clients", DEFAULT_CLIENTS);
        int seconds = Integer.getInteger("serve.loadtest.seconds", DEFAULT_SECONDS);
        Path dcz = TestData.compressedLenet5(dir);
        int cores = Runtime.getRuntime().availableProcessors();
        ServerOptions options = ServerOptions.of(dcz).withWorkers(cores).withQueue(4 * clients);
        try (ModelServer server = ModelServer.start(options);
             ImageClassifier reference = ImageClassifier.open(dcz,
                     SessionOptions.of(options.backend()).withThreads(options.intraOp()))) {
            List<TestData.Sample> samples = TestData.samples(IMAGES, reference);
            List<List<TestHttp.Row>> expected = new ArrayList<>();
            for (TestData.Sample s : samples) {
                List<TestHttp.Row> fromImage = TestHttp.rows(reference.classify(s.png()), ModelServer.DEFAULT_TOP);
                List<TestHttp.Row> fromTensor = TestHttp.rows(reference.classifySamples(s.tensor(), 1).getFirst(),
                        ModelServer.DEFAULT_TOP);
                assertTrue(TestHttp.sameBits(fromImage, fromTensor), s.name() + ": image and tensor answers differ");
                expected.add(fromImage);
            }
            TestHttp http = new TestHttp(server.uri());
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<ClientLog>> logs = new ArrayList<>();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                logs.add(pool.submit(() -> runClient(client, http, samples, expected, deadline)));
            }
            List<String> failures = new ArrayList<>();
            long[] all = new long[0];
            int requests = 0;
            for (Future<ClientLog> f : logs) {
                ClientLog log = f.get();
                failures.addAll(log.failures());
                requests += log.requests();
                int n = all.length;
                all = Arrays.copyOf(all, n + log.latencyNanos().length);
                System.arraycopy(log.latencyNanos(), 0, all, n, log.latencyNanos().length);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            Arrays.sort(all);
            System.out.printf("load test: %d clients, %.1f s, %d requests (%s), %.0f requests/s,"
                            + " latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d failures%n",
                    clients, elapsed, requests, TestData.imageSource(), requests / elapsed, percentile(all, 50),
                    percentile(all, 90), percentile(all, 99), all.length == 0 ? 0 : all[all.length - 1] / 1e6,
                    failures.size());
            assertEquals(List.of(), failures.subList(0, Math.min(10, failures.size())),
                    failures.size() + " requests failed; the first ones are listed");
            assertTrue(requests >= (long) MIN_REQUESTS_PER_SECOND * seconds, requests + " requests in " + seconds
                    + " s; expected at least " + MIN_REQUESTS_PER_SECOND * seconds);
        }
    }

    private static ClientLog runClient(int client, TestHttp http, List<TestData.Sample> samples,
                                       List<List<TestHttp.Row>> expected, long deadline) {
        long[] latency = new long[1024];
        int n = 0;
        List<String> failures = new ArrayList<>();
        // Clients start at different images so that the server sees a mix at every moment.
        for (int i = client * 7; System.nanoTime() < deadline; i++) {
            int image = i / Kind.values().length % samples.size();
            Kind kind = Kind.values()[i % Kind.values().length];
            TestData.Sample s = samples.get(image);
            long t0 = System.nanoTime();
            try {
                HttpResponse<String> r = switch (kind) {
                    case PNG -> http.post("predict", "image/png", s.png());
                    case JSON -> http.post("predict", "application/json", TestHttp.jsonTensor(s.tensor()));
                    case FLOAT32 -> http.post("predict", "application/octet-stream", TestHttp.float32(s.tensor()));
                };
                long t1 = System.nanoTime();
                if (n == latency.length) {
                    latency = Arrays.copyOf(latency, 2 * n);
                }
                latency[n++] = t1 - t0;
                if (r.statusCode() != 200) {
                    failures.add(kind + " " + s.name() + ": status " + r.statusCode() + " " + r.body());
                } else if (!TestHttp.sameBits(expected.get(image), TestHttp.top(r.body()))) {
                    failures.add(kind + " " + s.name() + ": answered " + TestHttp.top(r.body()) + ", expected "
                            + expected.get(image));
                }
            } catch (Exception e) {
                failures.add(kind + " " + s.name() + ": " + e);
            }
        }
        return new ClientLog(Arrays.copyOf(latency, n), n, failures);
    }

    /** The {@code p}th percentile in milliseconds (nearest rank) of sorted nanoseconds. */
    private static double percentile(long[] sortedNanos, int p) {
        if (sortedNanos.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1e6;
    }
}
