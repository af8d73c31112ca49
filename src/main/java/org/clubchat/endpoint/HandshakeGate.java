package org.clubchat.endpoint;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.clubchat.protocol.Names;

/**
 * Decides every handshake from its query parameters. Container-neutral: the WAR's {@link HandshakeFilter},
 * the launcher's engine and {@link ChatEndpoint#onOpen} all ask it, so the rule lives in one place.
 */
public final class HandshakeGate {
    static final String NAME_PARAMETER = "name";
    private static final int GUEST_SUFFIX_LENGTH = 6;

    /** @param query the decoded query parameters, as containers give them */
    public Admission admit(Map<String, List<String>> query) {
        List<String> names = query.get(NAME_PARAMETER);
        String name = names == null || names.isEmpty() ? "" : names.get(0);
        if (name.isEmpty()) {
            return new Admission.Admitted(guestName());
        }
        if (!Names.isValid(name)) {
            return new Admission.Refused(400, "name must be 1-32 characters without control characters");
        }
        return new Admission.Admitted(name);
    }

    private static String guestName() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder name = new StringBuilder("guest-");
        for (int i = 0; i < GUEST_SUFFIX_LENGTH; i++) {
            name.append(Character.forDigit(random.nextInt(36), 36));
        }
        return name.toString();
    }
}
