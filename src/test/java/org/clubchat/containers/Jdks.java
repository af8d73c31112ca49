package org.clubchat.containers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of at least a given feature version: the running one, then JAVA_HOME, then /usr/lib/jvm. */
final class Jdks {
    private static final Path USUAL_FOLDER = Path.of("/usr/lib/jvm");
    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private Jdks() {
    }

    static Optional<Path> atLeast(int feature) {
        Stream<Path> running = Stream.of(Path.of(System.getProperty("java.home")));
        Stream<Path> javaHome = Optional.ofNullable(System.getenv("JAVA_HOME")).map(Path::of).stream();
        return Stream.of(running, javaHome, installed()).flatMap(s -> s)
                .filter(home -> feature(home) >= feature && Files.isExecutable(home.resolve("bin/java")))
                .findFirst();
    }

    private static Stream<Path> installed() {
        if (!Files.isDirectory(USUAL_FOLDER)) {
            return Stream.empty();
        }
        try (Stream<Path> homes = Files.list(USUAL_FOLDER)) {
            return homes.sorted(Comparator.comparing(Jdks::feature).reversed()).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The feature version in the JDK's {@code release} file, or 0 when it has none. */
    private static int feature(Path home) {
        Path release = home.resolve("release");
        try {
            Matcher version = JAVA_VERSION.matcher(Files.isRegularFile(release) ? Files.readString(release) : "");
            return version.find() ? Integer.parseInt(version.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
