package io.jenkins.plugins.multiarch.record;

import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Records on disk: {@code DIR/<registry>/<repository>/<os>-<arch>[-<variant>].json}, one folder per
 * multi-arch image so that records of several images can share a directory (a registry's {@code :port}
 * is written {@code _port}, which every file system accepts).
 */
public final class RecordStore {

    private RecordStore() {}

    /** The folder of an image's records, relative to the records directory, e.g. {@code 127.0.0.1_5000/onap/py-app}. */
    public static String folderName(ImageReference image) {
        return image.registry().replace(':', '_') + "/" + image.repository();
    }

    /** Writes (atomically: a reader never sees half a record) and returns the file. */
    public static Path write(Path dir, ArchImageRecord record) {
        Path folder = dir.resolve(folderName(record.image()));
        Path file = folder.resolve(record.fileName());
        try {
            Files.createDirectories(folder);
            Path tmp = Files.createTempFile(folder, ".record", ".tmp");
            try {
                Files.write(tmp, record.toJson());
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return file;
        } catch (IOException e) {
            throw new InvalidInputException(
                    "cannot write record " + file + ": " + e.getMessage()
                            + "; check that the records directory is writable",
                    e);
        }
    }

    public static ArchImageRecord read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read record " + file + ": " + e.getMessage(), e);
        }
        return ArchImageRecord.fromJson(bytes, file.toString());
    }

    /**
     * Writes one build's records of {@code image} and removes the image's other record files, so that a later
     * {@code --records} publish never picks up a platform this build did not produce (a stale record from an
     * earlier build into the same directory). Other images' folders are not touched.
     */
    public static Written replaceImage(Path dir, ImageReference image, List<ArchImageRecord> records) {
        Path folder = dir.resolve(folderName(image.withoutTagOrDigest()));
        List<Path> written = new ArrayList<>();
        for (ArchImageRecord record : records) {
            written.add(write(dir, record));
        }
        List<Path> removed = new ArrayList<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.filter(RecordStore::isRecordFile).sorted().toList()) {
                    if (!written.contains(f)) {
                        Files.delete(f);
                        removed.add(f);
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                throw new InvalidInputException(
                        "cannot tidy records folder " + folder + ": " + e.getMessage()
                                + "; check that the records directory is writable",
                        e);
            }
        }
        return new Written(List.copyOf(written), List.copyOf(removed));
    }

    /** Record files written, and stale ones removed, by {@link #replaceImage}. */
    public record Written(List<Path> written, List<Path> removed) {}

    /**
     * The records of {@code image} under {@code dir}, with their files: only records of that image (a shared
     * directory also holds other images' records, which must never end up in its list). Records of other images
     * are named in the returned {@link Selection} so callers can say what they left out.
     */
    public static Selection select(Path dir, ImageReference image) {
        ImageReference wanted = image.withoutTagOrDigest();
        List<ArchImageRecord> mine = new ArrayList<>();
        List<Path> mineFiles = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Path file : files(dir)) {
            ArchImageRecord record = read(file);
            if (record.image().withoutTagOrDigest().equals(wanted)) {
                mine.add(record);
                mineFiles.add(file);
            } else {
                others.add(file + " (" + record.image() + ")");
            }
        }
        if (mine.isEmpty()) {
            throw new InvalidInputException("records directory " + dir + " holds no record of " + wanted
                    + (others.isEmpty() ? "" : "; it holds records of other images: " + others)
                    + "; build " + wanted + " first, or give the image the records were built for");
        }
        return new Selection(List.copyOf(mine), List.copyOf(mineFiles), List.copyOf(others));
    }

    /** The records of one image chosen from a directory, their files (same order), and the files left out. */
    public record Selection(List<ArchImageRecord> records, List<Path> files, List<String> otherImages) {}

    /** Every record under {@code dir} (any depth), in path order. An empty or missing directory is an error. */
    public static List<ArchImageRecord> readAll(Path dir) {
        return files(dir).stream().map(RecordStore::read).toList();
    }

    /** The record files under {@code dir}, in path order. */
    public static List<Path> files(Path dir) {
        if (Files.isRegularFile(dir)) {
            throw new InvalidInputException("records directory " + dir + " is a file: a folder is expected, the one "
                    + "that 'multiarch build' (or buildArchImage) wrote its records to"
                    + (dir.getParent() == null ? "" : ", e.g. " + dir.getParent()));
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidInputException("records directory " + dir + " does not exist: give the folder that "
                    + "'multiarch build' (or buildArchImage) wrote its records to");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(p -> Files.isRegularFile(p)
                            && isRecordFile(p)
                            && !fileName(p).startsWith("."))
                    .sorted()
                    .forEach(files::add);
        } catch (IOException | UncheckedIOException e) {
            throw new InvalidInputException("cannot list records directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new InvalidInputException("records directory " + dir + " holds no record (*.json): build first, "
                    + "or point at the folder the records were written to");
        }
        return List.copyOf(files);
    }

    private static boolean isRecordFile(Path p) {
        return fileName(p).endsWith(".json");
    }

    private static String fileName(Path p) {
        Path name = p.getFileName();
        return name == null ? "" : name.toString();
    }
}
