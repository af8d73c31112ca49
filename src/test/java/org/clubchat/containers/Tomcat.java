package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.clubchat.support.ServerProcess;

/**
 * A stock Tomcat distribution running the WAR as a user would: a fresh {@code CATALINA_BASE} with the
 * distribution's own configuration, the HTTP connector moved to a free loopback port and the shutdown
 * port off, the WAR copied into {@code webapps/}, started with {@code bin/catalina.sh run}.
 */
final class Tomcat {
    private Tomcat() {
    }

    /**
     * @param env               extra environment, e.g. {@code CLUBCHAT_*} settings or {@code CATALINA_OPTS}
     * @param contextParameters written as {@code <Parameter>}s of the context descriptor
     *                          {@code conf/Catalina/localhost/club-chat.xml}
     */
    static ServerProcess start(String name, int port, Path home, Map<String, String> env, Map<String, String> contextParameters)
            throws IOException {
        return start(name, port, home, env, contextParameters, ServerProcess.requiredFile("it.war"));
    }

    /** As above, deploying {@code war} (e.g. club-chat's WAR with a hook jar added) as {@code club-chat}. */
    static ServerProcess start(String name, int port, Path home, Map<String, String> env, Map<String, String> contextParameters,
            Path war) throws IOException {
        return start(name, port, home, env, contextParameters, war, "", List.of());
    }

    /**
     * As above, with more of the context descriptor ({@code <Resource>}s) and jars for Tomcat's own
     * {@code lib} (a JDBC driver for a container's pool).
     */
    static ServerProcess start(String name, int port, Path home, Map<String, String> env, Map<String, String> contextParameters,
            Path war, String contextXml, List<Path> libs) throws IOException {
        Path base = ServerProcess.freshFolder(name);
        copyConfiguration(home.resolve("conf"), base.resolve("conf"), port);
        for (String folder : new String[] {"logs", "temp", "work", "webapps", "lib"}) {
            Files.createDirectories(base.resolve(folder));
        }
        for (Path lib : libs) {
            Files.copy(lib, base.resolve("lib").resolve(lib.getFileName()));
        }
        if (!contextParameters.isEmpty() || !contextXml.isEmpty()) {
            Path descriptor = base.resolve("conf/Catalina/localhost/club-chat.xml");
            Files.createDirectories(descriptor.getParent());
            StringBuilder xml = new StringBuilder("<Context>\n").append(contextXml);
            contextParameters.forEach((key, value) ->
                    xml.append("  <Parameter name=\"").append(key).append("\" value=\"").append(value).append("\" override=\"false\"/>\n"));
            Files.writeString(descriptor, xml.append("</Context>\n"));
        }
        Files.copy(war, base.resolve("webapps/club-chat.war"));

        ProcessBuilder command = new ProcessBuilder(home.resolve("bin/catalina.sh").toString(), "run");
        command.environment().putAll(Map.of(
                "CATALINA_HOME", home.toString(),
                "CATALINA_BASE", base.toString(),
                "JAVA_HOME", System.getProperty("java.home")));
        command.environment().putAll(env);
        return ServerProcess.start(name, command, port, ContainerConformance.CONTEXT_PATH, base.resolve("console.log"));
    }

    private static void copyConfiguration(Path from, Path to, int port) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Path serverXml = to.resolve("server.xml");
        String original = Files.readString(serverXml);
        String edited = original
                .replace("<Server port=\"8005\"", "<Server port=\"-1\"")
                .replace("<Connector port=\"8080\"", "<Connector address=\"127.0.0.1\" port=\"" + port + "\"");
        assertTrue(edited.contains("port=\"" + port + "\"") && edited.contains("<Server port=\"-1\""),
                "server.xml of this Tomcat no longer has the stock ports 8005 and 8080");
        Files.writeString(serverXml, edited);
    }
}
