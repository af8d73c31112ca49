package org.clubchat.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.clubchat.support.ServerProcess;

/**
 * Payara Micro running the WAR from the command line, always with {@code --nohazelcast --disablephonehome}:
 * without them it sends multicast and cloud-metadata probes. Its runtime unpacks under the build folder.
 */
final class PayaraMicro {
    private PayaraMicro() {
    }

    /**
     * @param java      the {@code java} launcher to run it with (Payara 7 needs Java 21 or newer)
     * @param jvmArgs   e.g. {@code -Dclubchat.history.size=5}
     * @param extraArgs further Payara Micro options, e.g. {@code --systemproperties file}
     */
    static ServerProcess start(String name, int port, Path jar, Path java, List<String> jvmArgs, Map<String, String> env,
            List<String> extraArgs) throws IOException {
        return start(name, port, jar, java, jvmArgs, env, extraArgs, ServerProcess.requiredFile("it.war"));
    }

    /** As above, deploying {@code war} (e.g. club-chat's WAR with a hook jar added). */
    static ServerProcess start(String name, int port, Path jar, Path java, List<String> jvmArgs, Map<String, String> env,
            List<String> extraArgs, Path war) throws IOException {
        Path root = ServerProcess.freshFolder(name);
        Path config = Files.createDirectories(root.resolve("root"));
        Path unpacked = Files.createDirectories(root.resolve("unpacked"));
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString(),
                "--nohazelcast", "--disablephonehome",
                "--deploy", war.toString(),
                "--contextroot", ContainerConformance.CONTEXT_PATH.substring(1),
                "--port", String.valueOf(port),
                "--rootdir", config.toString(),
                "--unpackdir", unpacked.toString()));
        command.addAll(extraArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return ServerProcess.start(name, builder, port, ContainerConformance.CONTEXT_PATH, root.resolve("console.log"));
    }

    static Path java(Path javaHome) {
        return javaHome.resolve("bin/java");
    }
}
