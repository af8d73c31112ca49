package org.clubchat.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A standalone club-chat node in a JVM of its own (the built standalone jar), for cluster tests. */
public final class Node {
    private Node() {
    }

    /** Starts {@code java -jar club-chat-standalone.jar} on a free port with the given settings. */
    public static ServerProcess start(String name, Map<String, String> env) throws IOException {
        int port = ServerProcess.freePort();
        Path folder = ServerProcess.freshFolder(name);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder command = new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-jar",
                ServerProcess.requiredFile("it.standalone.jar").toString()));
        command.environment().putAll(env);
        command.environment().put("CLUBCHAT_PORT", String.valueOf(port));
        return ServerProcess.start(name, command, port, "", folder.resolve("console.log"));
    }
}
