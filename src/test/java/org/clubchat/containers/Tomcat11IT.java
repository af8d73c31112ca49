package org.clubchat.containers;

import java.util.Map;
import org.clubchat.support.ServerProcess;

/**
 * Tomcat 11 (Jakarta EE 11), one setting as a {@code -D} in {@code CATALINA_OPTS} and one as a context
 * init parameter in the context descriptor.
 */
class Tomcat11IT extends ContainerConformance {
    @Override
    ServerProcess deploy(int port) throws Exception {
        return Tomcat.start("tomcat11", port, ServerProcess.requiredFile("it.tomcat11.home"),
                Map.of("CATALINA_OPTS", "-Dclubchat.history.size=" + HISTORY_SIZE),
                Map.of("clubchat.message.max-length", String.valueOf(MAX_MESSAGE_LENGTH),
                        "clubchat.allowed.origins", allowedOrigins(port),
                        "clubchat.api.key", API_KEY));
    }
}
