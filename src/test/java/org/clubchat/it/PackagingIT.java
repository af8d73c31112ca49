package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What {@code mvn package} builds: a WAR for containers and a jar that runs the launcher. */
class PackagingIT {

    private static List<String> entries(String file) throws IOException {
        try (JarFile jar = new JarFile(Path.of("target", file).toFile())) {
            return jar.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void warBundlesItsLibrariesButNoContainerOrLauncherParts() throws IOException {
        List<String> war = entries("club-chat.war");
        List<String> libs = war.stream().filter(e -> e.startsWith("WEB-INF/lib/") && e.endsWith(".jar"))
                .map(e -> e.substring("WEB-INF/lib/".length())).sorted().toList();
        for (String needed : List.of("jakarta.json-api-", "parsson-", "nimbus-jose-jwt-", "micrometer-core-",
                "micrometer-registry-prometheus-", "prometheus-metrics-exposition-textformats-", "lettuce-core-",
                "slf4j-jdk14-")) {
            assertTrue(libs.stream().anyMatch(lib -> lib.startsWith(needed)), () -> needed + " missing from " + libs);
        }
        for (String container : List.of("tyrus", "grizzly", "jakarta.websocket", "jakarta.servlet", "logback", "log4j")) {
            assertTrue(libs.stream().noneMatch(lib -> lib.contains(container)), () -> container + " must not be in " + libs);
        }
        assertTrue(war.containsAll(List.of("index.html", "app.css", "js/app.js", "js/client.js")), war::toString);
        assertTrue(war.contains("WEB-INF/classes/org/clubchat/endpoint/ChatEndpoint.class"));
        assertTrue(war.stream().noneMatch(e -> e.contains("/launcher/") || e.startsWith("WEB-INF/classes/webapp/")), war::toString);
    }

    @Test
    void standaloneJarNamesTheLauncherAndCarriesThePage() throws IOException {
        try (JarFile jar = new JarFile(Path.of("target", "club-chat-standalone.jar").toFile())) {
            assertEquals("org.clubchat.launcher.Launcher", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("webapp/index.html") != null && jar.getEntry("webapp/js/client.js") != null);
            assertTrue(jar.getEntry("org/glassfish/tyrus/server/TyrusServerContainer.class") != null);
            assertTrue(jar.getEntry("org/eclipse/parsson/JsonProviderImpl.class") != null);
        }
    }
}
