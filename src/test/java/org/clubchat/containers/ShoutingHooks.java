package org.clubchat.containers;

import java.util.Locale;
import org.clubchat.hooks.ClubChatHooks;

/** A hook as an application ships it in a jar of its own: mallory is banned, and every chat is said in capitals. */
public final class ShoutingHooks implements ClubChatHooks {
    static final String BANNED = "banned: 스팸 🚫";

    @Override
    public Decision mayConnect(User user) {
        return user.name().equals("mallory") ? ClubChatHooks.refuse(BANNED) : ALLOW;
    }

    @Override
    public Decision onChat(User user, String clubId, String message) {
        return ClubChatHooks.replace(message.toUpperCase(Locale.ROOT));
    }
}
