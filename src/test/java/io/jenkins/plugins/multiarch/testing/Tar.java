package io.jenkins.plugins.multiarch.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal, deterministic ustar writer and reader for image layers (directories, regular files, symlinks; mtime 0,
 * uid/gid 0). Written here so the fixtures depend on nothing the code under test also uses.
 */
public final class Tar {

    /** One entry read back: type '0' file, '2' symlink, '5' directory. */
    public record Entry(String name, char type, int mode, byte[] content, String linkTarget) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Tar directory(String name, int mode) {
        header(name.endsWith("/") ? name : name + "/", '5', mode, 0, "");
        return this;
    }

    public Tar file(String name, int mode, byte[] content) {
        header(name, '0', mode, content.length, "");
        out.writeBytes(content);
        pad(content.length);
        return this;
    }

    public Tar symlink(String name, String target) {
        header(name, '2', 0777, 0, target);
        return this;
    }

    /** The archive, with its two closing zero blocks. */
    public byte[] toBytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[1024]);
        return copy.toByteArray();
    }

    private void header(String name, char type, int mode, long size, String link) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || link.length() > 100) {
            throw new IllegalArgumentException("tar name too long for this writer: " + name);
        }
        byte[] h = new byte[512];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = (byte) type;
        byte[] l = link.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, h, 157, l.length);
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
        h[263] = '0';
        h[264] = '0';
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, h, 265, 4);
        System.arraycopy("root".getBytes(StandardCharsets.US_ASCII), 0, h, 297, 4);
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String chk = String.format("%06o", sum);
        System.arraycopy(chk.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
        out.writeBytes(h);
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = String.format("%0" + (len - 1) + "o", value);
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private void pad(long size) {
        int rest = (int) (size % 512);
        if (rest != 0) {
            out.writeBytes(new byte[512 - rest]);
        }
    }

    /** gzip with a fixed header (mtime 0), so equal input gives equal bytes. */
    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    public static byte[] gunzip(byte[] data) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a ustar archive (as written by this class or by common tools for short names). */
    public static Map<String, Entry> read(byte[] tar) {
        Map<String, Entry> out = new LinkedHashMap<>();
        int pos = 0;
        while (pos + 512 <= tar.length) {
            boolean zero = true;
            for (int i = pos; i < pos + 512; i++) {
                if (tar[i] != 0) {
                    zero = false;
                    break;
                }
            }
            if (zero) {
                break;
            }
            String name = cString(tar, pos, 100);
            String prefix = cString(tar, pos + 345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
            int mode = (int) parseOctal(tar, pos + 100, 8);
            long size = parseOctal(tar, pos + 124, 12);
            char type = tar[pos + 156] == 0 ? '0' : (char) tar[pos + 156];
            String link = cString(tar, pos + 157, 100);
            byte[] content = new byte[(int) size];
            System.arraycopy(tar, pos + 512, content, 0, (int) size);
            out.put(name, new Entry(name, type, mode, content, link));
            pos += 512 + (int) ((size + 511) / 512) * 512;
        }
        return out;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long parseOctal(byte[] b, int off, int len) {
        String s = cString(b, off, len).trim();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }
}
