package org.clubchat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.Browser;
import org.clubchat.support.Http;
import org.clubchat.support.TestClient;
import org.clubchat.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;

/**
 * Deleting on the page and on the admin page, in headless Chromium against the server on its defaults
 * (with an API key): one's own messages offer "delete" with a confirmation, a deleted message shows as
 * "message deleted" in place for everyone (an operator's deletion too, and after a reload), and the admin
 * page deletes a message and erases a person.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DeletingPageIT {
    private static final String KEY = "deleting-page-key";
    @RegisterExtension
    static final TestServer server = new TestServer(Map.of("CLUBCHAT_API_KEY", KEY));

    @Test
    void aReaderDeletesItsOwnMessageWithAConfirmationAndEveryoneSeesItGone() {
        String club = "d-page";
        try (TestClient bob = server.connect("bob"); Browser page = new Browser(server.http("/"))) {
            bob.join(club);
            page.connectAs("앨리스");
            page.join(club);
            page.say("지워질 메시지 🙈");
            page.say("남을 메시지 café");
            bob.expectSkipping("chat", "presence");
            bob.expect("chat");
            bob.chat(club, "bob의 메시지 🎉");
            page.await("bob's message", d -> page.messages(club).size() == 3);
            assertEquals(2, page.findAll("li[data-seq] .delete").size(), "only one's own messages offer to be deleted");
            assertTrue(page.findAll("li[data-seq='3'] .delete").isEmpty(), "bob's does not");
            page.screenshot(Path.of("target", "screenshots", "delete-offered.png"));

            page.find("li[data-seq='1'] .delete").click();
            page.await("the question", d -> page.find("li[data-seq='1'] .confirm").isDisplayed());
            assertEquals("Delete this message for everyone?", page.find("li[data-seq='1'] .question").getText());
            page.screenshot(Path.of("target", "screenshots", "delete-confirm.png"));
            page.find("li[data-seq='1'] .keep").click();
            page.await("kept", d -> page.findAll("li[data-seq='1'] .confirm").isEmpty());
            assertEquals("지워질 메시지 🙈", page.messages(club).get(0), "Keep keeps it");

            page.find("li[data-seq='1'] .delete").click();
            page.find("li[data-seq='1'] .confirm-delete").click();
            page.await("shown as deleted", d -> page.find("li[data-seq='1']").getAttribute("class").contains("deleted"));
            assertEquals("message deleted", page.find("li[data-seq='1']").getText());
            assertEquals(1, bob.expect("deleted").getJsonNumber("seq").longValue(), "the others are told");
            assertEquals(List.of("남을 메시지 café", "bob의 메시지 🎉"), page.messages(club));
            page.screenshot(Path.of("target", "screenshots", "delete-done.png"));

            HttpResponse<String> operator = Http.delete(server.http("/api/clubs/" + club + "/messages/3"), "Authorization", "Bearer " + KEY);
            assertEquals(200, operator.statusCode(), operator.body());
            page.await("the operator's deletion, in place", d -> page.messages(club).equals(List.of("남을 메시지 café")));
            assertEquals(2, page.findAll("ol.messages li.deleted").size());
            page.screenshot(Path.of("target", "screenshots", "delete-by-operator.png"));

            page.driver().navigate().refresh();
            page.await("read back after a reload, tombstones in place", d -> page.findAll("ol.messages li.deleted").size() == 2
                    && page.messages(club).equals(List.of("남을 메시지 café")));
            assertEquals(List.of("1", "2", "3"), page.findAll("ol.messages li[data-seq]").stream()
                    .map(li -> li.getAttribute("data-seq")).toList());
            page.screenshot(Path.of("target", "screenshots", "delete-after-reload.png"));
        }
    }

    @Test
    void anOperatorDeletesAMessageAndErasesAPersonFromTheAdminPage() {
        String club = "d-admin";
        try (TestClient mallory = server.connect("Mallory 🦊"); TestClient alice = server.connect("alice");
                Browser admin = new Browser(server.http("/admin/"))) {
            alice.join(club);
            mallory.join(club);
            alice.expect("presence");
            for (int i = 1; i <= 3; i++) {
                mallory.chat(club, "스팸 " + i + " 🦊");
            }
            alice.frames("chat", 3);
            alice.chat(club, "a real question, café?");
            admin.find("#key").sendKeys(KEY, Keys.ENTER);
            admin.find("#club-id").sendKeys(club, Keys.ENTER);
            admin.await("the club's messages", d -> admin.findAll("#club-messages li[data-seq]").size() == 4);

            admin.find("#club-messages li[data-seq='4'] .delete").click();
            admin.await("the question", d -> admin.find("#club-messages li[data-seq='4'] .confirm-delete").isDisplayed());
            assertEquals("Delete #4 for everyone", admin.find("#club-messages li[data-seq='4'] .confirm-delete").getText());
            admin.screenshot(Path.of("target", "screenshots", "admin-delete-confirm.png"));
            admin.find("#club-messages li[data-seq='4'] .confirm-delete").click();
            admin.await("deleted", d -> admin.find("#club-messages li[data-seq='4']").getAttribute("class").contains("deleted"));
            assertEquals("#4 deleted for everyone", admin.find("#action").getText());
            assertEquals(4, alice.expect("deleted").getJsonNumber("seq").longValue(), "even its own sender is told");

            admin.find("#erase-value").sendKeys("Mallory 🦊");
            admin.find("#erase-form button").click();
            admin.await("the question", d -> admin.find("#erase-confirm .confirm-delete").isDisplayed());
            assertEquals("Erase every message of name Mallory 🦊", admin.find("#erase-confirm .confirm-delete").getText());
            admin.screenshot(Path.of("target", "screenshots", "admin-erase-confirm.png"));
            admin.find("#erase-confirm .confirm-delete").click();
            admin.await("the count", d -> admin.find("#erase-confirm").getText().equals("erased 3 messages of name Mallory 🦊"));
            for (long seq = 1; seq <= 3; seq++) {
                assertEquals(seq, alice.expect("deleted").getJsonNumber("seq").longValue());
            }
            admin.await("every message shown deleted", d -> admin.findAll("#club-messages li.deleted").size() == 4);
            assertTrue(admin.findAll("#club-messages li[data-seq] .from").isEmpty(), "no name is left");
            admin.screenshot(Path.of("target", "screenshots", "admin-erased.png"));
            assertTrue(admin.findAll("#club-messages li.deleted .delete").isEmpty(), "a deleted message offers nothing more");
        }
    }
}
