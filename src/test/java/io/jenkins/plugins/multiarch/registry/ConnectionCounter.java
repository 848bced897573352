package io.jenkins.plugins.multiarch.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on 127.0.0.1 in front of a registry that counts connections: accepted ones and the most open at
 * once. It relays bytes unchanged (TLS passes through, so the client still talks to the registry's own TLS and
 * negotiates HTTP/2 with it); the registry's bytes can be held back a fixed time, so that parallel requests
 * overlap. One thread per direction per connection; {@link #close()} ends them all.
 */
final class ConnectionCounter implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long replyDelayMillis;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    ConnectionCounter(String upstreamHostPort, Duration replyDelay) throws IOException {
        String[] hp = upstreamHostPort.split(":");
        this.upstream = new InetSocketAddress(hp[0], Integer.parseInt(hp[1]));
        this.replyDelayMillis = replyDelay.toMillis();
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "connection-counter");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    int peakOpen() {
        return peak.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                peak.accumulateAndGet(open.incrementAndGet(), Math::max);
                Socket registry = new Socket();
                registry.connect(upstream, 5000);
                sockets.add(client);
                sockets.add(registry);
                AtomicInteger left = new AtomicInteger(2);
                relay(client, registry, 0, left);
                relay(registry, client, replyDelayMillis, left);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(Socket from, Socket to, long delayMillis, AtomicInteger left) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[32 * 1024];
                    try (InputStream in = from.getInputStream()) {
                        OutputStream out = to.getOutputStream();
                        int n;
                        while ((n = in.read(buffer)) > 0) {
                            if (delayMillis > 0) {
                                Thread.sleep(delayMillis);
                            }
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                        to.shutdownOutput();
                    } catch (IOException | InterruptedException e) {
                        closeQuietly(from); // the other direction stops too
                        closeQuietly(to);
                    } finally {
                        if (left.decrementAndGet() == 0) {
                            closeQuietly(from);
                            closeQuietly(to);
                            open.decrementAndGet();
                        }
                    }
                },
                "connection-counter-relay");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
