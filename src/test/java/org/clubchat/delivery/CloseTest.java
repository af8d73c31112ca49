package org.clubchat.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CloseTest {

    @Test
    void reasonFromElsewhereIsCutTo123BytesBetweenCharacters() {
        String korean = "스팸".repeat(30);
        String cut = Close.withReasonCut(1008, korean).reason();
        assertEquals(41, cut.length(), "41 characters of 3 bytes fit in 123");
        assertEquals(korean.substring(0, 41), cut);

        String emoji = "a" + "🚫".repeat(40);
        String cutEmoji = Close.withReasonCut(1008, emoji).reason();
        assertEquals(1 + 30 * 2, cutEmoji.length(), "30 emoji of 4 bytes after one ASCII byte; none split in half");
        assertTrue(cutEmoji.getBytes(StandardCharsets.UTF_8).length <= 123);
        assertTrue(Character.isHighSurrogate(cutEmoji.charAt(cutEmoji.length() - 2)));

        assertEquals("banned: 스팸 🚫", Close.withReasonCut(1008, "banned: 스팸 🚫").reason(), "a short reason stays whole");
    }
}
