package io.jenkins.plugins.multiarch.architecture;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which top-level classes each compiled top-level class refers to, read from the constant pools of the class
 * files (JVMS 4.4): every {@code CONSTANT_Class} entry, and every class named in a descriptor or generic
 * signature (a type used only as a parameter or field type). Nested, local and anonymous classes
 * ({@code Outer$Inner}, {@code Outer$1}) count as their top-level class. Unlike imports, this sees uses within
 * one package too; like imports, it does not see compile-time constants, which javac copies into the user.
 */
final class ClassReferences {

    /** A class type inside a descriptor, a signature or an array class name: {@code Lpkg/Name;} or {@code Lpkg/Name<}. */
    private static final Pattern CLASS_IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    private ClassReferences() {}

    /**
     * The references of every top-level class under {@code classesRoot} whose binary name {@code include} accepts,
     * to other such classes (self-references left out), keyed and sorted by binary name.
     */
    static Map<String, Set<String>> read(Path classesRoot, Predicate<String> include) throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classesRoot)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            String name = topLevel(
                    classesRoot.relativize(file).toString().replace('\\', '/').replaceAll("\\.class$", ""));
            if (!include.test(name) || name.endsWith(".package-info") || name.endsWith(".module-info")) {
                continue;
            }
            Set<String> mine = uses.computeIfAbsent(name, n -> new TreeSet<>());
            for (String used : referencedClasses(Files.readAllBytes(file))) {
                mine.add(topLevel(used));
            }
        }
        for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
            e.getValue().removeIf(used -> used.equals(e.getKey()) || !uses.containsKey(used));
        }
        return uses;
    }

    /** Every pair of classes that refer to each other, as {@code "a <-> b"} with {@code a < b}, sorted. */
    static List<String> mutualPairs(Map<String, Set<String>> uses) {
        List<String> pairs = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
            for (String other : e.getValue()) {
                if (e.getKey().compareTo(other) < 0
                        && uses.getOrDefault(other, Set.of()).contains(e.getKey())) {
                    pairs.add(e.getKey() + " <-> " + other);
                }
            }
        }
        return pairs;
    }

    /** {@code a/b/Outer$Inner} (internal or binary name) to {@code a.b.Outer}. */
    static String topLevel(String name) {
        String binary = name.replace('/', '.');
        int dollar = binary.indexOf('$', binary.lastIndexOf('.') + 1);
        return dollar < 0 ? binary : binary.substring(0, dollar);
    }

    /** The internal names of the classes one class file's constant pool refers to. */
    static Set<String> referencedClasses(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (no CAFEBABE)");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        List<Integer> classNameIndexes = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // Utf8 (the class file's modified UTF-8 is DataInput's)
                case 7 -> classNameIndexes.add(in.readUnsignedShort()); // Class
                case 8, 16, 19, 20 -> in.skipBytes(2); // String, MethodType, Module, Package
                case 15 -> in.skipBytes(3); // MethodHandle
                case 3, 4, 9, 10, 11, 12, 17, 18 ->
                    in.skipBytes(4); // Integer, Float, refs, NameAndType, (Invoke)Dynamic
                case 5, 6 -> { // Long, Double: 8 bytes and two slots
                    in.skipBytes(8);
                    i++;
                }
                default -> throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        Set<String> names = new TreeSet<>();
        for (int index : classNameIndexes) {
            String name = utf8[index];
            if (name.startsWith("[")) {
                addDescriptorClasses(name, names); // an array class: its element type, if a class
            } else {
                names.add(name);
            }
        }
        for (String text : utf8) {
            if (text != null
                    && (text.startsWith("(") || text.startsWith("L") || text.startsWith("[") || text.startsWith("<"))) {
                addDescriptorClasses(text, names); // descriptors and signatures (and the odd string: harmless)
            }
        }
        return names;
    }

    private static void addDescriptorClasses(String descriptor, Set<String> names) {
        Matcher m = CLASS_IN_DESCRIPTOR.matcher(descriptor);
        while (m.find()) {
            names.add(m.group(1));
        }
    }
}
