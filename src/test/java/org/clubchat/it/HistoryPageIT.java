package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.clubchat.support.Browser;
import org.clubchat.support.Node;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reading back on the page, in headless Chromium, against a server keeping history in PostgreSQL that
 * replays at most 40 messages on a join: scrolling to the top reads earlier messages (keeping the
 * reader's place) down to the club's beginning, and after a long absence the skipped messages are
 * offered where they belong, not replayed.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HistoryPageIT {
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();
    private ServerProcess server;

    @BeforeAll
    void start() throws Exception {
        server = Node.start("history-page", Map.of("CLUBCHAT_DB_URL", postgres.url(), "CLUBCHAT_DB_USER", postgres.user(),
                "CLUBCHAT_REPLAY_MAX", "40", "CLUBCHAT_RATE_PER_SECOND", "1000", "CLUBCHAT_RATE_BURST", "1000"));
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static String text(int n) {
        return "글 " + n + " — café 🎉";
    }

    private static List<String> texts(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(HistoryPageIT::text).toList();
    }

    @Test
    void scrollingToTheTopReadsEarlierMessagesInPlaceDownToTheBeginning() {
        try (TestClient writer = server.connect("작가"); Browser page = new Browser(server.http("/"))) {
            writer.join("h-scroll");
            for (int i = 1; i <= 150; i++) {
                assertEquals(i, writer.chat("h-scroll", text(i)));
            }
            // Each read back waits until the test lets it go, so that the page can be seen while it reads.
            page.script("window.heldReads = []; window.holdReads = true;");
            page.connectAs("reader");
            page.script("const client = window.clubChat.client, read = client.history.bind(client);"
                    + "client.history = (...args) => window.holdReads"
                    + "  ? new Promise((done) => window.heldReads.push(() => done(read(...args)))) : read(...args);");
            page.join("h-scroll");
            page.await("the newest 40, replayed", d -> page.messages("h-scroll").equals(texts(111, 150)));
            page.screenshot(Path.of("target", "screenshots", "history-newest.png"));

            page.script("document.querySelector(\"ol.messages[data-club='h-scroll']\").scrollTop = 0");
            page.await("the quiet line while reading", d -> "loading earlier messages…".equals(topLine(page)));
            page.screenshot(Path.of("target", "screenshots", "history-loading.png"));
            Number before = (Number) page.script("return document.querySelector(\"li[data-seq='111']\").getBoundingClientRect().top");
            page.script("window.holdReads = false; window.heldReads.forEach((release) => release());");
            page.await("50 more above", d -> page.messages("h-scroll").equals(texts(61, 150)));
            Number after = (Number) page.script("return document.querySelector(\"li[data-seq='111']\").getBoundingClientRect().top");
            assertTrue(Math.abs(before.doubleValue() - after.doubleValue()) < 2,
                    () -> "the reader's place is kept: message 111 moved from " + before + " to " + after);
            page.screenshot(Path.of("target", "screenshots", "history-earlier.png"));

            page.await("the beginning, scrolling up", d -> {
                page.script("document.querySelector(\"ol.messages[data-club='h-scroll']\").scrollTop = 0");
                return "the beginning of this club".equals(topLine(page));
            });
            assertEquals(texts(1, 150), page.messages("h-scroll"), "every message once, in order");
            assertEquals("작가", page.find("li[data-seq='1'] .from").getText());
            page.script("document.querySelector(\"ol.messages[data-club='h-scroll']\").scrollTop = 0");
            page.screenshot(Path.of("target", "screenshots", "history-beginning.png"));
        }
    }

    @Test
    void afterALongAbsenceTheSkippedMessagesAreOfferedWhereTheyBelong() {
        try (TestClient writer = server.connect("작가"); Browser page = new Browser(server.http("/"))) {
            writer.join("h-away");
            page.connectAs("away");
            page.join("h-away");
            for (int i = 1; i <= 3; i++) {
                writer.chatAmidPresence("h-away", text(i));
            }
            page.await("the first three", d -> page.messages("h-away").equals(texts(1, 3)));
            page.script("window.clubChat.client.disconnect()");
            page.awaitState("offline");
            for (int i = 4; i <= 103; i++) {
                writer.chatAmidPresence("h-away", text(i));
            }
            page.script("window.clubChat.client.connect()");
            page.await("the newest 40 after the first three", d -> page.messages("h-away")
                    .equals(java.util.stream.Stream.concat(texts(1, 3).stream(), texts(64, 103).stream()).toList()));
            assertEquals("60 earlier messages, load them", page.find("li.skipped button").getText());
            assertEquals(List.of(), page.notices("h-away").stream().filter(n -> n.contains("could not be recovered")).toList(),
                    "skipped, not lost");
            page.script("document.querySelector('li.skipped').scrollIntoView({block: 'center'})");
            page.screenshot(Path.of("target", "screenshots", "history-skipped.png"));

            page.find("li.skipped button").click();
            page.await("one page loaded below the line", d -> page.messages("h-away").size() == 3 + 50 + 40
                    && page.find("li.skipped button").getText().equals("10 earlier messages, load them"));
            page.find("li.skipped button").click();
            page.await("all of them, and the line gone", d -> page.findAll("li.skipped").isEmpty());
            assertEquals(texts(1, 103), page.messages("h-away"), "every message once, in order");
            page.screenshot(Path.of("target", "screenshots", "history-skipped-loaded.png"));
        }
    }

    private static String topLine(Browser page) {
        return (String) page.script("const line = document.querySelector(\"ol.messages:not([hidden]) li.top-line\");"
                + "return line && !line.hidden ? line.textContent : null;");
    }
}
