package io.jenkins.plugins.multiarch.builder;

import io.jenkins.plugins.multiarch.LogListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;

/**
 * Turns a build's output chunks into whole lines for the listener, masks secrets (registry passwords,
 * secret build-arg values) in every line, and keeps the last lines for the error of a failed build.
 */
final class LogLines {

    static final int TAIL = 20;
    static final String MASK = "****";

    private final LogListener listener;
    private final String prefix;
    private final List<String> secrets;
    private final Deque<String> tail = new ArrayDeque<>();
    private final StringBuilder partial = new StringBuilder();

    LogLines(LogListener listener, String prefix, Collection<String> secrets) {
        this.listener = listener;
        this.prefix = prefix;
        List<String> s = new ArrayList<>();
        for (String v : secrets) {
            if (v != null && !v.isEmpty()) {
                s.add(v);
            }
        }
        // longer secrets first, so a secret that contains another is masked whole
        s.sort((a, b) -> Integer.compare(b.length(), a.length()));
        this.secrets = List.copyOf(s);
    }

    /** Feeds a chunk of output (any number of lines, possibly a partial one). */
    synchronized void accept(String chunk) {
        if (chunk == null) {
            return;
        }
        for (int i = 0; i < chunk.length(); i++) {
            char c = chunk.charAt(i);
            if (c == '\n') {
                emit(partial.toString());
                partial.setLength(0);
            } else if (c != '\r') {
                partial.append(c);
            }
        }
    }

    /** A whole line (e.g. an error message) that is not part of the stream. */
    synchronized void line(String line) {
        flush();
        for (String l : line.split("\n", -1)) {
            emit(l);
        }
    }

    synchronized void flush() {
        if (partial.length() > 0) {
            emit(partial.toString());
            partial.setLength(0);
        }
    }

    synchronized List<String> tail() {
        flush();
        return List.copyOf(tail);
    }

    String mask(String text) {
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, MASK);
        }
        return out;
    }

    private void emit(String raw) {
        String line = mask(raw).stripTrailing();
        tail.addLast(line);
        while (tail.size() > TAIL) {
            tail.removeFirst();
        }
        listener.info(prefix + line);
    }
}
