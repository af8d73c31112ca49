package org.clubchat.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.clubchat.support.ServerProcess;

/**
 * Payara Micro 7 (Jakarta EE 11), which needs Java 21 or newer: found as the running JDK, JAVA_HOME or a
 * JDK under /usr/lib/jvm. Settings come from Payara's {@code --systemproperties} file and the environment.
 */
class Payara7IT extends ContainerConformance {
    private static final int JAVA_NEEDED = 21;

    @Override
    ServerProcess deploy(int port) throws Exception {
        Path javaHome = Jdks.atLeast(JAVA_NEEDED).orElse(null);
        Assumptions.assumeTrue(javaHome != null, "Payara 7 skipped: it needs Java " + JAVA_NEEDED
                + " or newer, and neither the running JDK, JAVA_HOME nor /usr/lib/jvm has one");
        Path properties = Files.createTempFile("clubchat-payara7", ".properties");
        Files.writeString(properties, "clubchat.history.size=" + HISTORY_SIZE + "\nclubchat.allowed.origins=" + allowedOrigins(port) + "\n");
        return PayaraMicro.start("payara7", port, ServerProcess.requiredFile("it.payara7.jar"), PayaraMicro.java(javaHome),
                List.of(), Map.of("CLUBCHAT_MESSAGE_MAX_LENGTH", String.valueOf(MAX_MESSAGE_LENGTH), "CLUBCHAT_API_KEY", API_KEY),
                List.of("--systemproperties", properties.toString()));
    }
}
