package org.clubchat.ops;

import java.util.Map;

/** What to answer: the adapters copy it onto their server's response as it is. */
public record OpsResponse(int status, String contentType, Map<String, String> headers, String body) {
    public OpsResponse {
        headers = Map.copyOf(headers);
    }
}
