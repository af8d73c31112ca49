package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;

/** The chat page in real headless Chromium against the standalone server. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrowserIT {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void twoPagesChatBothWaysAndAThirdInAnotherClubSeesNothing() {
        try (Browser alice = new Browser(server.http("/")); Browser bob = new Browser(server.http("/"));
                Browser carol = new Browser(server.http("/"))) {
            alice.connectAs("alice");
            alice.join("b-one");
            bob.connectAs("bob");
            bob.join("b-one");
            carol.connectAs("carol");
            carol.join("b-two");
            alice.await("bob in alice's member list", d -> alice.memberNames().equals(List.of("alice", "bob")));
            assertEquals(List.of("alice", "bob"), bob.memberNames());

            alice.say("hello bob");
            bob.await("alice's message", d -> bob.messages("b-one").contains("hello bob"));
            bob.say("hi alice");
            alice.await("bob's message", d -> alice.messages("b-one").equals(List.of("hello bob", "hi alice")));
            assertEquals(List.of("carol"), carol.memberNames());
            assertEquals(List.of(), carol.messages("b-two"));

            alice.screenshot(Path.of("target", "screenshots", "chat.png"));
            alice.driver().manage().window().setSize(new Dimension(390, 800));
            alice.await("the phone layout: one column", d -> alice.find("nav").getRect().getY() > alice.find("header").getRect().getY()
                    && alice.find("nav").getRect().getWidth() > 300);
            alice.screenshot(Path.of("target", "screenshots", "chat-phone.png"));
        }
    }

    @Test
    void markupFromPeersIsShownAsTextAndNeverRuns() {
        String attack = "<img src=x onerror=alert(1)>";
        String sneaky = "<img src=x onerror=\"window.pwned=1\">";
        try (Browser victim = new Browser(server.http("/"));
                TestClient mallory = server.connect("<b>mallory</b>")) {
            victim.connectAs("victim");
            victim.join("b-xss");
            mallory.join("b-xss");
            victim.await("mallory listed", d -> victim.memberNames().contains("<b>mallory</b>"));
            mallory.chat("b-xss", attack);
            mallory.chat("b-xss", sneaky);
            victim.await("both messages", d -> victim.messages("b-xss").size() == 2);
            assertEquals(List.of(attack, sneaky), victim.messages("b-xss"));
            assertEquals("<b>mallory</b>", victim.find("li[data-seq] .from").getText());
            assertEquals(0, victim.findAll("ol.messages img, #members b, ol.messages b").size(), "no markup made it in");
            assertEquals(null, victim.script("return window.pwned"));
            assertEquals("online", victim.state(), "no alert blocked the page");
        }
    }

    @Test
    void droppedConnectionResumesWithEverythingSentMeanwhileExactlyOnce() {
        try (Browser page = new Browser(server.http("/")); TestClient peer = server.connect("peer")) {
            page.connectAs("reader");
            page.join("b-drop");
            peer.join("b-drop");
            peer.chat("b-drop", "before");
            page.await("first message", d -> page.messages("b-drop").equals(List.of("before")));

            page.script("window.clubChat.client.dropConnection()");
            assertEquals("leave", peer.expect("presence").getString("event"), "the server saw the page go");
            peer.chat("b-drop", "while away 1");
            peer.chat("b-drop", "while away 2");
            page.await("back online with the missed messages", d -> "online".equals(page.state())
                    && page.messages("b-drop").size() >= 3);
            assertEquals("join", peer.expect("presence").getString("event"));
            peer.chat("b-drop", "after");
            page.await("live again", d -> page.messages("b-drop").contains("after"));
            assertEquals(List.of("before", "while away 1", "while away 2", "after"), page.messages("b-drop"));
            assertTrue(page.notices("b-drop").stream().noneMatch(n -> n.contains("could not be recovered")), page.notices("b-drop")::toString);
        }
    }

    @Test
    void rememberedNameUnreadCountsAndLeaving() {
        try (Browser page = new Browser(server.http("/")); TestClient peer = server.connect("peer")) {
            page.connectAs("rememberme");
            page.join("b-first");
            page.join("b-second");
            peer.join("b-first");
            peer.chat("b-first", "one");
            peer.chat("b-first", "two");
            page.await("unread 2 on the other club", d -> "2".equals(
                    page.find("#clubs button[data-club='b-first'] .unread").getText()));
            page.find("#clubs button[data-club='b-first']").click();
            assertEquals("", page.find("#clubs button[data-club='b-first'] .unread").getText());
            assertEquals(List.of("one", "two"), page.messages("b-first"));

            page.find("#leave").click();
            assertEquals("leave", peer.expect("presence").getString("event"));
            assertTrue(page.findAll("#clubs button[data-club='b-first']").isEmpty());

            page.driver().navigate().refresh();
            assertEquals("rememberme", page.find("#name").getAttribute("value"));
            page.awaitState("online");
            page.await("the remaining club is joined again", d -> page.findAll("#clubs button[data-club='b-second']").size() == 1);
        }
    }

    @Test
    void serverErrorsAreShownInWordsNextToTheInput() {
        try (Browser page = new Browser(server.http("/"))) {
            page.connectAs("talker");
            page.join("b-errors");
            page.find("#message").sendKeys("x".repeat(2001), Keys.ENTER);
            page.await("the error", d -> !page.find("#composer-error").getText().isEmpty());
            assertEquals("That message is empty or too long.", page.find("#composer-error").getText());
            assertTrue(page.findAll("li.pending").isEmpty(), "the refused message is not left pending");
        }
    }

    @Test
    void firstScreenShowsTheHintAloneAndAPeerWithMyNameIsNotMe() {
        try (Browser page = new Browser(server.http("/"))) {
            page.await("the page has loaded", d -> page.find("#empty").isDisplayed());
            assertFalse(page.find("#view").isDisplayed(), "the conversation view stays hidden until a club is joined");
            page.screenshot(Path.of("target", "screenshots", "first-screen.png"));

            page.connectAs("alice");
            page.join("b-same-name");
            try (TestClient other = server.connect("alice")) {
                other.join("b-same-name");
                other.chat("b-same-name", "I am another alice");
                page.await("the other alice's message", d -> page.messages("b-same-name").contains("I am another alice"));
            }
            var item = page.find("ol.messages[data-club='b-same-name'] li[data-seq]");
            assertEquals("alice", item.findElement(org.openqa.selenium.By.cssSelector(".from")).getText(), "shown by name, not as you");
            assertFalse(item.getAttribute("class").contains("mine"));
        }
    }

    @Test
    void messageWrittenOfflineShowsSendingThenGoesOutOnce() {
        try (Browser page = new Browser(server.http("/")); TestClient peer = server.connect("peer")) {
            page.connectAs("writer");
            page.join("b-offline");
            peer.join("b-offline");
            page.script("window.clubChat.client.disconnect()");
            page.awaitState("offline");
            page.find("#message").sendKeys("written on the train 🚆", Keys.ENTER);
            page.await("the message waits as sending", d -> page.findAll("li.mine.pending time").stream()
                    .anyMatch(time -> time.getText().equals("sending…")));
            page.screenshot(Path.of("target", "screenshots", "offline-sending.png"));

            page.script("window.clubChat.client.connect()");
            page.await("sent once back online", d -> page.findAll("li.mine[data-seq]:not(.pending) time").stream()
                    .anyMatch(time -> time.getText().startsWith("sent ")));
            assertEquals("written on the train 🚆", peer.expectSkipping("chat", "presence").getString("message"));
            peer.assertNoFrame(java.time.Duration.ofMillis(300));
        }
    }

    @Test
    void messageWhoseAckWasLostWithTheConnectionIsResentAndArrivesOnce() {
        try (Browser page = new Browser(server.http("/")); TestClient peer = server.connect("peer")) {
            page.connectAs("sender");
            page.join("b-resend");
            peer.join("b-resend");
            page.script("document.getElementById('message').value = 'exactly once';"
                    + "document.getElementById('composer').requestSubmit();"
                    + "window.clubChat.client.dropConnection();");
            page.await("settled after the reconnect", d -> "online".equals(page.state())
                    && page.findAll("li.mine[data-seq]:not(.pending):not(.resending)").size() == 1);
            assertEquals(List.of("exactly once"), page.messages("b-resend"), "one item, not a copy from the replay");
            assertEquals("exactly once", peer.expectSkipping("chat", "presence").getString("message"));
            page.say("and then this");
            assertEquals("and then this", peer.expectSkipping("chat", "presence").getString("message"), "no second copy between");
            page.screenshot(Path.of("target", "screenshots", "resent.png"));
        }
    }
}
