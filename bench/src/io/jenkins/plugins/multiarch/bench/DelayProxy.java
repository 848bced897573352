package io.jenkins.plugins.multiarch.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A delaying TCP proxy: the WAN between a client and a registry, for a kernel without netem. Runs as a process
 * of its own ({@link ProxyProcess} starts it) so that its CPU can be measured apart from the tools.
 *
 * <ul>
 * <li>each direction's bytes are delivered {@code delay} after they arrived, in order (one-way delay; a round
 * trip is twice that);</li>
 * <li>a new connection's first client bytes go no earlier than one round trip after the connection was
 * accepted: the TCP handshake (SYN, SYN-ACK) that a real network costs before the client can send;</li>
 * <li>optionally a bandwidth limit per direction, shared by every connection (one link): a chunk occupies the
 * link for its size / bandwidth before its delay starts.</li>
 * </ul>
 *
 * <p>Each connection has four tasks on a pool of reused threads (a reader and a writer per direction); the writer
 * parks until a chunk is due. Control on stdin, one command a line: {@code STATS} prints
 * {@code STATS accepted=N open=N peak=N active=N up=BYTES down=BYTES} (active: connections that carried bytes,
 * new or reused); {@code RESET} zeroes accepted, active, bytes and the peak (to the connections open now). Stdin
 * closing ends the process, so it never outlives the bench.
 */
public final class DelayProxy {

    private final InetSocketAddress upstream;
    private final long delayNanos;
    private final long handshakeNanos;
    /** Nanoseconds per byte on the link; 0 = unlimited. */
    private final double nanosPerByte;

    private final Link up = new Link();
    private final Link down = new Link();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    /** Connections that carried bytes since the last RESET (new or reused). */
    private final AtomicInteger active = new AtomicInteger();

    private final Set<AtomicBoolean> live = ConcurrentHashMap.newKeySet();
    /** Threads are reused: a thread per direction per connection would cost more CPU than the bytes do. */
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "proxy");
        t.setDaemon(true);
        return t;
    });

    DelayProxy(InetSocketAddress upstream, long delayMillis, double bandwidthMbit) {
        this.upstream = upstream;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.handshakeNanos = 2 * delayNanos;
        this.nanosPerByte = bandwidthMbit > 0 ? 8_000.0 / bandwidthMbit : 0;
    }

    /** {@code DelayProxy UPSTREAM_HOST:PORT DELAY_MS BANDWIDTH_MBIT} (0 = unlimited); prints {@code LISTEN PORT}. */
    public static void main(String[] args) throws IOException {
        String[] hp = args[0].split(":");
        DelayProxy proxy = new DelayProxy(
                new InetSocketAddress(hp[0], Integer.parseInt(hp[1])),
                Long.parseLong(args[1]),
                Double.parseDouble(args[2]));
        ServerSocket server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        out.println("LISTEN " + server.getLocalPort());
        Thread acceptor = new Thread(() -> proxy.acceptLoop(server), "proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.strip()) {
                case "STATS" -> out.println(proxy.stats());
                case "RESET" -> {
                    proxy.reset();
                    out.println("OK");
                }
                case "QUIT" -> {
                    server.close();
                    System.exit(0);
                }
                default -> out.println("ERROR unknown command " + line);
            }
        }
        server.close();
        System.exit(0);
    }

    String stats() {
        return "STATS accepted=" + accepted.get() + " open=" + open.get() + " peak=" + peak.get() + " active="
                + active.get() + " up=" + bytesUp.get() + " down=" + bytesDown.get();
    }

    void reset() {
        live.forEach(used -> used.set(false));
        active.set(0);
        accepted.set(0);
        bytesUp.set(0);
        bytesDown.set(0);
        peak.set(open.get());
    }

    private void acceptLoop(ServerSocket server) {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            long acceptedAt = System.nanoTime();
            accepted.incrementAndGet();
            peak.accumulateAndGet(open.incrementAndGet(), Math::max);
            threads.execute(() -> connect(client, acceptedAt));
        }
    }

    private void connect(Socket client, long acceptedAt) {
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(upstream, 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(server);
            open.decrementAndGet();
            return;
        }
        AtomicInteger directionsLeft = new AtomicInteger(2);
        AtomicBoolean used = new AtomicBoolean();
        live.add(used);
        Runnable done = () -> {
            if (directionsLeft.decrementAndGet() == 0) {
                closeQuietly(client);
                closeQuietly(server);
                live.remove(used);
                open.decrementAndGet();
            }
        };
        new Direction(client, server, up, bytesUp, acceptedAt + handshakeNanos, used, done).start();
        new Direction(server, client, down, bytesDown, 0, used, done).start();
    }

    /** One direction's link: when it is next free (bandwidth), shared by every connection. */
    private static final class Link {
        private long freeAt;

        synchronized long transmit(long arrival, long nanos) {
            long start = Math.max(arrival, freeAt);
            freeAt = start + nanos;
            return freeAt;
        }
    }

    private record Chunk(byte[] bytes, int length, long dueAt) {}

    private static final Chunk EOF = new Chunk(new byte[0], -1, 0);

    /** Reader: stamps each chunk with its delivery time. Writer: delivers it then, in order. */
    private final class Direction {
        private final Socket from;
        private final Socket to;
        private final Link link;
        private final AtomicLong counter;
        private final long notBefore;
        private final AtomicBoolean used;
        private final Runnable done;
        private final LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();

        Direction(
                Socket from,
                Socket to,
                Link link,
                AtomicLong counter,
                long notBefore,
                AtomicBoolean used,
                Runnable done) {
            this.from = from;
            this.to = to;
            this.link = link;
            this.counter = counter;
            this.notBefore = notBefore;
            this.used = used;
            this.done = done;
        }

        void start() {
            threads.execute(this::read);
            threads.execute(this::write);
        }

        private void read() {
            byte[] buffer = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                int n;
                long lastDue = 0;
                while ((n = in.read(buffer)) > 0) {
                    long arrival = Math.max(System.nanoTime(), notBefore);
                    long sent = nanosPerByte > 0 ? link.transmit(arrival, (long) (n * nanosPerByte)) : arrival;
                    long due = Math.max(sent + delayNanos, lastDue);
                    lastDue = due;
                    counter.addAndGet(n);
                    if (used.compareAndSet(false, true)) {
                        active.incrementAndGet();
                    }
                    queue.add(new Chunk(Arrays.copyOf(buffer, n), n, due));
                }
            } catch (IOException e) {
                // the connection ended
            }
            queue.add(EOF);
        }

        private void write() {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk c = queue.take();
                    if (c == EOF) {
                        break;
                    }
                    long wait;
                    while ((wait = c.dueAt() - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    out.write(c.bytes(), 0, c.length());
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // the other side went away: drop both
                closeQuietly(from);
                closeQuietly(to);
            } finally {
                done.run();
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
