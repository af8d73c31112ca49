package org.clubchat.hooks;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Hooks answered by the host application's backend (docs/hooks.md): each call POSTs a JSON description
 * to {@code CLUBCHAT_HOOKS_URL} and reads {@code {"result": "allow" | "refuse" | "replace", "message",
 * "text"}}. Any other answer (a status other than 200, unreadable JSON, no answer within the timeout)
 * throws, so that the failure policy applies. Thread-safe: the JDK's client is.
 */
public final class HttpHooks implements ClubChatHooks {
    private final URI backend;
    private final Duration timeout;
    private final HttpClient client;

    public HttpHooks(URI backend, Duration timeout) {
        this.backend = backend;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public Decision mayConnect(User user) {
        return ask(request("connect", user));
    }

    @Override
    public Decision mayJoin(User user, String clubId) {
        return ask(request("join", user).add("clubId", clubId));
    }

    @Override
    public Decision onChat(User user, String clubId, String message) {
        return ask(request("chat", user).add("clubId", clubId).add("message", message));
    }

    private static JsonObjectBuilder request(String hook, User user) {
        return Json.createObjectBuilder().add("hook", hook)
                .add("user", Json.createObjectBuilder().add("name", user.name()).add("sub", user.sub()));
    }

    private Decision ask(JsonObjectBuilder description) {
        HttpRequest request = HttpRequest.newBuilder(backend).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(description.build().toString())).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("the hook backend answered " + response.statusCode());
        }
        JsonObject answer = Json.createReader(new StringReader(response.body())).readObject();
        return switch (answer.getString("result", "")) {
            case "allow" -> ALLOW;
            case "refuse" -> ClubChatHooks.refuse(answer.getString("message", "refused by the application"));
            case "replace" -> ClubChatHooks.replace(answer.getString("text"));
            default -> throw new IllegalStateException("the hook backend answered no result");
        };
    }
}
