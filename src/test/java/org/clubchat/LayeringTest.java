package org.clubchat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** protocol/, club/ and security/ stay free of WebSocket and servlet types, so they are tested without a socket. */
class LayeringTest {

    @Test
    void pureLayersDoNotImportContainerApis() throws IOException {
        List<String> offenders;
        try (Stream<Path> files = Stream.of("protocol", "club", "security")
                .map(p -> Path.of("src/main/java/org/clubchat", p))
                .flatMap(LayeringTest::walk)) {
            offenders = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> read(f).lines().anyMatch(l -> l.startsWith("import jakarta.websocket")
                            || l.startsWith("import jakarta.servlet") || l.startsWith("import org.glassfish")))
                    .map(Path::toString).toList();
        }
        assertEquals(List.of(), offenders);
    }

    private static Stream<Path> walk(Path dir) {
        try {
            return Files.walk(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
