package io.jenkins.plugins.multiarch.jenkins;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP forwarder on 127.0.0.1 in front of the real registry that can hold new connections (accepted, not
 * forwarded) while paused: lets a test restart Jenkins while pushManifestList is in the middle of a request.
 * Not a fake registry: every byte that passes comes from the real one.
 */
final class PausingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private volatile boolean paused;
    private volatile boolean closed;

    PausingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "pausing-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "pausing-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            while (paused && !closed) {
                Thread.sleep(50);
            }
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                Thread up = new Thread(() -> pump(client, upstream), "pausing-proxy-up");
                up.setDaemon(true);
                up.start();
                pump(upstream, client);
                up.join(1000);
            }
        } catch (IOException | InterruptedException e) {
            // connection over
        }
    }

    private static void pump(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
