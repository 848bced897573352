package io.jenkins.plugins.multiarch.copy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;

/** A copy's result for people (one line per destination, then the failures) and as JSON for scripts. */
public final class CopyReport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CopyReport() {}

    public static String text(CopyResult result) {
        StringBuilder out = new StringBuilder();
        out.append("source:  ").append(result.source()).append('\n');
        out.append("digest:  ").append(result.digest()).append('\n');
        out.append("type:    ")
                .append(result.mediaType().value())
                .append(" (")
                .append(result.manifests())
                .append(" manifests, ")
                .append(result.blobs())
                .append(" blobs, ")
                .append(result.blobBytes())
                .append(" bytes)\n\n");
        String[] header = {"DESTINATION", "OUTCOME", "TAGS", "BLOBS COPIED/MOUNTED/PRESENT", "BYTES COPIED"};
        List<String[]> rows = new java.util.ArrayList<>();
        rows.add(header);
        for (DestinationResult d : result.destinations()) {
            rows.add(new String[] {
                d.repository().repositoryString(),
                d.outcome().name().toLowerCase(java.util.Locale.ROOT),
                tags(d),
                d.blobsCopied() + "/" + d.blobsMounted() + "/" + d.blobsSkipped(),
                Long.toString(d.bytesCopied())
            });
        }
        int[] widths = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : pad(row[i], widths[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        for (DestinationResult d : result.destinations()) {
            if (d.failed()) {
                out.append("\nfailed: ")
                        .append(d.repository().repositoryString())
                        .append(": ")
                        .append(d.error())
                        .append('\n');
            }
        }
        out.append('\n');
        long ok = result.destinations().stream().filter(d -> !d.failed()).count();
        out.append(ok)
                .append(" of ")
                .append(result.destinations().size())
                .append(" destination(s) hold ")
                .append(result.digest())
                .append('\n');
        for (DestinationResult d : result.destinations()) {
            if (!d.failed()) {
                out.append("  docker pull ").append(result.at(d)).append('\n');
            }
        }
        return out.toString();
    }

    public static String json(CopyResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("source", result.source().toString());
        root.put("digest", result.digest().toString());
        root.put("mediaType", result.mediaType().value());
        root.put("manifests", result.manifests());
        root.put("blobs", result.blobs());
        root.put("blobBytes", result.blobBytes());
        root.put("success", result.success());
        root.put("exitCode", result.exitCode());
        root.put("requests", result.requests());
        ArrayNode destinations = root.putArray("destinations");
        for (DestinationResult d : result.destinations()) {
            ObjectNode node = destinations.addObject();
            node.put("repository", d.repository().repositoryString());
            node.put("outcome", d.outcome().name().toLowerCase(java.util.Locale.ROOT));
            node.put("reference", result.at(d).toString());
            ArrayNode written = node.putArray("tagsWritten");
            d.tagsWritten().forEach(written::add);
            ArrayNode unchanged = node.putArray("tagsUnchanged");
            d.tagsUnchanged().forEach(unchanged::add);
            node.put("blobsCopied", d.blobsCopied());
            node.put("blobsMounted", d.blobsMounted());
            node.put("blobsPresent", d.blobsSkipped());
            node.put("bytesCopied", d.bytesCopied());
            node.put("manifestsWritten", d.manifestsPut());
            if (d.failed()) {
                node.put("error", d.error());
                node.put("exitCode", d.exitCode());
            }
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tags(DestinationResult d) {
        List<String> all = new java.util.ArrayList<>(d.tagsWritten());
        d.tagsUnchanged().forEach(t -> all.add(t + " (unchanged)"));
        return all.isEmpty() ? "-" : String.join(",", all);
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }
}
