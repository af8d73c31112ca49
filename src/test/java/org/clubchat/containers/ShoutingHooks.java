package org.clubchat.containers;

import java.util.Locale;
import org.clubchat.hooks.ClubChatHooks;

/** A hook as an application ships it in a jar of its own: every chat is said in capitals. */
public final class ShoutingHooks implements ClubChatHooks {
    @Override
    public Decision onChat(User user, String clubId, String message) {
        return ClubChatHooks.replace(message.toUpperCase(Locale.ROOT));
    }
}
