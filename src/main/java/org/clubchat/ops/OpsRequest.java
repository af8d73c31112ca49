package org.clubchat.ops;

/**
 * An HTTP request to the operations endpoints, as either server (the launcher's Grizzly or a servlet
 * container) received it.
 *
 * @param path          the path below the application's context, undecoded, e.g. {@code /api/clubs/lobby}
 * @param query         the raw query string (without {@code ?}), or null
 * @param authorization the {@code Authorization} header, or null
 * @param body          the request body, read by {@link OpsApi#body}
 */
public record OpsRequest(String method, String path, String query, String authorization, String body) {
}
