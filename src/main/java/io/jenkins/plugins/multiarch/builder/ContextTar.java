package io.jenkins.plugins.multiarch.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The build context as a tar stream, written while the engine reads it (no temporary copy): every file
 * under the context directory that {@code .dockerignore} does not exclude, with its mode bits; symbolic
 * links stay links (they are never followed, so nothing outside the context is sent). A Dockerfile that
 * lies outside the context is added under {@link #dockerfileName()}, as the docker CLI does.
 */
final class ContextTar {

    private final Path context;
    private final Path dockerfile;
    private final String dockerfileName;
    private final DockerIgnore ignore;
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicReference<IOException> receiverGone = new AtomicReference<>();
    private volatile Thread writer;
    private volatile long bytes;
    private final AtomicInteger files = new AtomicInteger();

    ContextTar(Path context, Path dockerfile) {
        this.context = context;
        this.dockerfile = dockerfile;
        boolean inside = dockerfile.startsWith(context);
        this.dockerfileName = inside
                ? context.relativize(dockerfile).toString().replace('\\', '/')
                : ".dockerfile." + java.util.UUID.randomUUID().toString().substring(0, 8);
        DockerIgnore base = DockerIgnore.load(context);
        // The docker CLI always sends the Dockerfile and .dockerignore, even when the file excludes them.
        this.ignore = base.isEmpty()
                ? base
                : inside
                        ? base.withExceptions(List.of(dockerfileName, ".dockerignore"))
                        : base.withExceptions(List.of(".dockerignore"));
    }

    /** The Dockerfile's path inside the tar, for the engine's {@code dockerfile} parameter. */
    String dockerfileName() {
        return dockerfileName;
    }

    /** Starts a thread that writes the tar into a pipe and returns the pipe's reading end. */
    InputStream open() {
        PipedInputStream in = new PipedInputStream(256 * 1024);
        PipedOutputStream pipe;
        try {
            pipe = new PipedOutputStream(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        OutputStream out = new ReceiverSide(pipe);
        Thread writer = new Thread(
                () -> {
                    try (OutputStream o = out) {
                        write(o);
                    } catch (ReceiverGone e) {
                        receiverGone.set(e.getCause() instanceof IOException io ? io : e);
                    } catch (IOException e) {
                        failure.set(e);
                    }
                },
                "multiarch-context-tar");
        writer.setDaemon(true);
        this.writer = writer;
        writer.start();
        return in;
    }

    /**
     * Waits (at most {@code millis}) for the writer to end, so {@link #failure()} is settled. Once the
     * reading end is closed the writer ends promptly; this only closes the race with the last write.
     */
    void awaitWriter(long millis) {
        Thread w = writer;
        if (w == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            w.join(millis);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * An error met while reading the context (then the engine saw a truncated tar), if any. The engine
     * closing its end early ("Pipe closed") is not one: that is the engine's answer, see {@link #receiverGone()}.
     */
    IOException failure() {
        return failure.get();
    }

    /** Set when the engine (or the client sending to it) stopped reading before the tar was complete. */
    IOException receiverGone() {
        return receiverGone.get();
    }

    long bytes() {
        return bytes;
    }

    int files() {
        return files.get();
    }

    void write(OutputStream raw) throws IOException {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(raw);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        boolean walkExcludedDirs = ignore.hasExceptions();
        Files.walkFileTree(context, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (dir.equals(context)) {
                    return FileVisitResult.CONTINUE;
                }
                String name = relative(dir);
                if (ignore.isExcluded(name)) {
                    return walkExcludedDirs ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }
                TarArchiveEntry entry = new TarArchiveEntry(name + "/");
                entry.setMode(040000 | mode(dir, 0755));
                entry.setModTime(attrs.lastModifiedTime().toMillis());
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = relative(file);
                if (ignore.isExcluded(name)) {
                    return FileVisitResult.CONTINUE;
                }
                if (attrs.isSymbolicLink()) {
                    TarArchiveEntry entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    entry.setLinkName(Files.readSymbolicLink(file).toString());
                    entry.setModTime(attrs.lastModifiedTime().toMillis());
                    tar.putArchiveEntry(entry);
                    tar.closeArchiveEntry();
                } else if (attrs.isRegularFile()) {
                    addFile(tar, file, name, attrs);
                }
                // sockets, fifos and devices are not part of a build context
                return FileVisitResult.CONTINUE;
            }
        });
        if (!dockerfile.startsWith(context)) {
            addFile(tar, dockerfile, dockerfileName, Files.readAttributes(dockerfile, BasicFileAttributes.class));
        }
        tar.finish();
        tar.flush();
    }

    private void addFile(TarArchiveOutputStream tar, Path file, String name, BasicFileAttributes attrs)
            throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(attrs.size());
        entry.setMode(0100000 | mode(file, 0644));
        entry.setModTime(attrs.lastModifiedTime().toMillis());
        tar.putArchiveEntry(entry);
        long copied;
        try (InputStream in = Files.newInputStream(file)) {
            copied = in.transferTo(tar);
        }
        if (copied != attrs.size()) {
            throw new IOException(
                    file + " changed size while it was being sent (" + attrs.size() + " -> " + copied + " bytes)");
        }
        tar.closeArchiveEntry();
        bytes += copied;
        files.incrementAndGet();
    }

    private String relative(Path path) {
        List<String> parts = new ArrayList<>();
        for (Path p : context.relativize(path)) {
            parts.add(p.toString());
        }
        return String.join("/", parts);
    }

    private static int mode(Path path, int fallback) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission p : perms) {
                mode |= switch (p) {
                    case OWNER_READ -> 0400;
                    case OWNER_WRITE -> 0200;
                    case OWNER_EXECUTE -> 0100;
                    case GROUP_READ -> 040;
                    case GROUP_WRITE -> 020;
                    case GROUP_EXECUTE -> 010;
                    case OTHERS_READ -> 04;
                    case OTHERS_WRITE -> 02;
                    case OTHERS_EXECUTE -> 01;
                };
            }
            return mode;
        } catch (UnsupportedOperationException | IOException e) {
            return fallback;
        }
    }

    /** A write into the pipe failed: the reader went away. Kept apart from errors reading the context's files. */
    private static final class ReceiverGone extends IOException {
        private static final long serialVersionUID = 1L;

        ReceiverGone(IOException cause) {
            super("the receiver stopped reading the build context: " + cause.getMessage(), cause);
        }
    }

    /** The pipe's writing end, marking its failures as {@link ReceiverGone}. */
    private static final class ReceiverSide extends java.io.FilterOutputStream {
        ReceiverSide(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new ReceiverGone(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new ReceiverGone(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new ReceiverGone(e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                out.close();
            } catch (IOException e) {
                throw new ReceiverGone(e);
            }
        }
    }
}
