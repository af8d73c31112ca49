package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The page rides out a server restart by itself and says what it may have missed. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrowserRestartIT {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void pageReconnectsAfterARestartShowsWhatWasSentMeanwhileOnceAndSaysTheClubStartedOver() throws Exception {
        try (Browser page = new Browser(server.http("/"))) {
            page.connectAs("steady");
            page.join("r-club");
            try (TestClient peer = server.connect("peer")) {
                peer.join("r-club");
                peer.chat("r-club", "before the restart");
                page.await("first message", d -> page.messages("r-club").equals(List.of("before the restart")));
            }

            server.restart();
            page.await("the page counting down to its next attempt", d -> "reconnecting".equals(page.state())
                    && page.find("#state").getText().matches("(the server is restarting|connection lost); retrying in \\d+ s"));
            try (TestClient peer = server.connect("peer")) {
                peer.join("r-club");
                peer.chatAmidPresence("r-club", "after the restart");
                page.await("back by itself with the new message", d -> "online".equals(page.state())
                        && page.messages("r-club").contains("after the restart"));
                peer.chatAmidPresence("r-club", "live again");
                page.await("live delivery", d -> page.messages("r-club").contains("live again"));
            }
            assertEquals(List.of("before the restart", "after the restart", "live again"), page.messages("r-club"));
            assertTrue(page.notices("r-club").contains("The club started over: earlier messages are gone."), page.notices("r-club")::toString);
        }
    }
}
