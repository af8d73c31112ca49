package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.CompressionChecks;
import org.clubchat.support.RawWebSocket;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code CLUBCHAT_WS_COMPRESSION=on} in the WAR: on Tomcat 11 a client that offers permessage-deflate
 * gets it, and compressed messages in Korean and emoji arrive intact; Payara 6 has none to offer. (Off,
 * the default, is in {@link ContainerConformance} on all four containers.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CompressionWarIT {
    @Test
    void tomcat11CompressesWhenAllowed() throws Exception {
        try (ServerProcess tomcat = Tomcat.start("tomcat-deflate", ServerProcess.freePort(), ServerProcess.requiredFile("it.tomcat11.home"),
                Map.of(), Map.of("clubchat.ws.compression", "on"))) {
            compresses(tomcat);
        }
    }

    /** The Tyrus inside Payara installs no permessage-deflate: allowed or not, there is none to agree on. */
    @Test
    void payara6HasNoCompressionToOfferEvenWhenAllowed() throws Exception {
        try (ServerProcess payara = PayaraMicro.start("payara-deflate", ServerProcess.freePort(), ServerProcess.requiredFile("it.payara6.jar"),
                PayaraMicro.java(Path.of(System.getProperty("java.home"))), List.of("-Dclubchat.ws.compression=on"), Map.of(), List.of());
                RawWebSocket browserLike = offering(payara); TestClient peer = payara.connect("peer")) {
            assertEquals("", browserLike.extensions());
            CompressionChecks.chatArrivesIntact(browserLike, peer, "deflate-club");
        }
    }

    private static void compresses(ServerProcess server) throws Exception {
        try (RawWebSocket browserLike = offering(server); TestClient peer = server.connect("peer")) {
            assertTrue(browserLike.extensions().startsWith("permessage-deflate"), browserLike.extensions());
            CompressionChecks.chatArrivesIntact(browserLike, peer, "deflate-club");
        }
    }

    private static RawWebSocket offering(ServerProcess server) throws Exception {
        return RawWebSocket.offeringDeflate(server.http("/").getPort(), ContainerConformance.CONTEXT_PATH + "/chat?name=deflate");
    }
}
