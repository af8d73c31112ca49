package org.clubchat.containers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.clubchat.support.ServerProcess;

/** Payara Micro 6 (Jakarta EE 10) on the JDK running the tests, settings as {@code -D} options. */
class Payara6IT extends ContainerConformance {
    @Override
    ServerProcess deploy(int port) throws Exception {
        return PayaraMicro.start("payara6", port, ServerProcess.requiredFile("it.payara6.jar"),
                PayaraMicro.java(Path.of(System.getProperty("java.home"))),
                List.of("-Dclubchat.history.size=" + HISTORY_SIZE, "-Dclubchat.message.max-length=" + MAX_MESSAGE_LENGTH,
                        "-Dclubchat.allowed.origins=" + allowedOrigins(port), "-Dclubchat.api.key=" + API_KEY),
                Map.of(), List.of());
    }
}
