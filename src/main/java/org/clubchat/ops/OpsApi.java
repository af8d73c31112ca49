package org.clubchat.ops;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.clubchat.club.ClubStore;
import org.clubchat.club.ClubView;
import org.clubchat.protocol.ClubIds;
import org.clubchat.protocol.ErrorCode;
import org.clubchat.protocol.ProtocolCodec;
import org.clubchat.protocol.SendKeys;
import org.clubchat.service.Publisher;
import org.clubchat.service.Connections;

/**
 * The operations endpoints, once for both servers: {@code GET /health}, {@code GET /metrics}, and the
 * publish API under {@code /api/clubs/}. The launcher and the WAR only adapt their requests to this.
 * Stateless apart from the parts it reads, so one instance serves every request.
 */
public final class OpsApi {
    /** Longer bodies are refused before they are parsed: room for the longest message there can be. */
    public static final int MAX_BODY_BYTES = 256 * 1024;
    static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** What the bundled page needs to know of the server: whether it must get a token, and where (docs/client.md). */
    public static final String PAGE_CONFIG = "/page-config.json";
    private static final Pattern CLUB = Pattern.compile("/api/clubs/([^/]*)");
    private static final Pattern CLUB_MESSAGES = Pattern.compile("/api/clubs/([^/]*)/messages");
    private static final Pattern CLUB_MESSAGE = Pattern.compile("/api/clubs/([^/]*)/messages/([^/]*)");
    private static final String DEFAULT_FROM = "server";

    private final byte[] apiKey;
    private final BooleanSupplier serving;
    private final Connections connections;
    private final ClubStore clubs;
    private final Publisher publisher;
    private final Supplier<String> metricsText;
    private final String pageConfig;
    private final MessagesApi messages;
    private final boolean opsProtected;

    /**
     * @param apiKey       the bearer key of {@code /api/}; empty switches the API off
     * @param serving      false once the server is shutting down
     * @param metricsText  every meter in the Prometheus text format, made at each scrape
     * @param tokenUrl     token mode: where the bundled page gets a token (null in open mode, empty when not set)
     */
    public OpsApi(String apiKey, BooleanSupplier serving, Connections connections, ClubStore clubs, Publisher publisher,
            ProtocolCodec codec, Supplier<String> metricsText, String tokenUrl, boolean opsProtected) {
        this.messages = new MessagesApi(clubs, codec);
        this.opsProtected = opsProtected;
        this.apiKey = apiKey.getBytes(StandardCharsets.UTF_8);
        this.serving = serving;
        this.connections = connections;
        this.clubs = clubs;
        this.publisher = publisher;
        this.metricsText = metricsText;
        JsonObjectBuilder page = Json.createObjectBuilder().add("tokenMode", tokenUrl != null);
        if (tokenUrl != null && !tokenUrl.isEmpty()) {
            page.add("tokenUrl", tokenUrl);
        }
        this.pageConfig = page.build().toString();
    }

    /**
     * The body an adapter hands over: read only for a POST, as UTF-8, at most one byte past the limit
     * (enough to refuse a longer one without holding it), and no further than its Content-Length. The
     * last matters: Grizzly never ends the body of a request that asks to upgrade to h2c, as the JDK's
     * HTTP client does by default, so reading to the end would wait forever.
     *
     * @param contentLength the request's Content-Length, or -1 when it has none (chunked)
     */
    public static String body(String method, InputStream in, long contentLength) throws IOException {
        if (!method.equals("POST")) {
            return "";
        }
        int wanted = contentLength < 0 ? MAX_BODY_BYTES + 1 : (int) Math.min(contentLength, MAX_BODY_BYTES + 1);
        return new String(in.readNBytes(wanted), StandardCharsets.UTF_8);
    }

    public OpsResponse handle(OpsRequest request) {
        String path = request.path();
        if (opsProtected && (path.equals("/health") || path.equals("/metrics")) && !authorized(request.authorization())) {
            return new OpsResponse(401, JSON, Map.of("WWW-Authenticate", "Bearer"),
                    error(ErrorCode.FORBIDDEN.wireName(), "missing or wrong API key").toString());
        }
        if (path.equals("/health")) {
            return onlyGet(request) ? health() : notAllowed("GET");
        }
        if (path.equals(PAGE_CONFIG)) {
            return onlyGet(request) ? new OpsResponse(200, JSON, Map.of("Cache-Control", "no-store"), pageConfig) : notAllowed("GET");
        }
        if (path.equals("/metrics")) {
            return onlyGet(request) ? new OpsResponse(200, PROMETHEUS_TEXT, Map.of(), metricsText.get()) : notAllowed("GET");
        }
        if (!path.startsWith("/api/") || apiKey.length == 0) {
            return new OpsResponse(404, JSON, Map.of(), error("not_found", "no such endpoint; the publish API is on only with an API key").toString());
        }
        if (!authorized(request.authorization())) {
            return new OpsResponse(401, JSON, Map.of("WWW-Authenticate", "Bearer"),
                    error(ErrorCode.FORBIDDEN.wireName(), "missing or wrong API key").toString());
        }
        try {
            return api(request, path);
        } catch (ClubStore.Unavailable e) {
            return new OpsResponse(503, JSON, Map.of(), error(ErrorCode.UNAVAILABLE.wireName(), "the club store is unavailable").toString());
        }
    }

    private OpsResponse api(OpsRequest request, String path) {
        if (path.equals("/api/clubs")) {
            return onlyGet(request) ? clubList() : notAllowed("GET");
        }
        if (path.equals("/api/summary")) {
            return onlyGet(request) ? summary() : notAllowed("GET");
        }
        if (path.equals("/api/disconnect")) {
            return request.method().equals("POST") ? disconnect(request.body()) : notAllowed("POST");
        }
        if (path.equals("/api/erase")) {
            return request.method().equals("POST") ? messages.erase(request.body()) : notAllowed("POST");
        }
        Matcher clubMessages = CLUB_MESSAGES.matcher(path);
        if (clubMessages.matches()) {
            if (request.method().equals("POST")) {
                return publish(clubMessages.group(1), request.body());
            }
            return onlyGet(request) ? messages.history(clubMessages.group(1), request.query()) : notAllowed("GET, POST");
        }
        Matcher clubMessage = CLUB_MESSAGE.matcher(path);
        if (clubMessage.matches()) {
            return request.method().equals("DELETE") ? messages.delete(clubMessage.group(1), clubMessage.group(2))
                    : notAllowed("DELETE");
        }
        Matcher club = CLUB.matcher(path);
        if (club.matches()) {
            return onlyGet(request) ? club(club.group(1)) : notAllowed("GET");
        }
        return new OpsResponse(404, JSON, Map.of(), error("not_found", "no such endpoint").toString());
    }

    /** 200 while the server takes connections, 503 once it is shutting down, so a load balancer moves on. */
    private OpsResponse health() {
        boolean stopping = !serving.getAsBoolean();
        return new OpsResponse(!stopping && !clubs.backends().containsValue(false) ? 200 : 503, JSON, Map.of("Cache-Control", "no-store"),
                state().build().toString());
    }

    /**
     * What the admin page polls: this node's figures, as {@code /health} has them, behind the API key; read
     * from memory, never from Redis, however many clubs there are (the list is {@code /api/clubs}, on demand).
     */
    private OpsResponse summary() {
        return new OpsResponse(200, JSON, Map.of("Cache-Control", "no-store"), state().build().toString());
    }

    /** This node's state: status, connections by wire, clubs held here, and Redis when there is one. */
    private JsonObjectBuilder state() {
        Map<String, Boolean> backends = clubs.backends();
        boolean stopping = !serving.getAsBoolean();
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("status", stopping ? "stopping" : backends.containsValue(false) ? "degraded" : "up")
                .add("connections", connections.size())
                .add("connectionsByProtocol", Json.createObjectBuilder(new TreeMap<String, Object>(connections.sizesByProtocol())))
                .add("clubs", clubs.size());
        new TreeMap<>(backends).forEach((name, up) -> body.add(name, up ? "up" : "down"));
        return body;
    }

    private OpsResponse publish(String clubId, String body) {
        if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            return badRequest(ErrorCode.TOO_LONG, "the body is longer than " + MAX_BODY_BYTES + " bytes");
        }
        JsonObject json;
        try {
            json = Json.createReader(new StringReader(body)).readObject();
        } catch (RuntimeException e) {
            return badRequest(ErrorCode.BAD_JSON, "the body must be a JSON object");
        }
        if (!(json.get("message") instanceof JsonString message)) {
            return badRequest(ErrorCode.BAD_REQUEST, "message is required and must be a string");
        }
        JsonValue from = json.getOrDefault("from", Json.createValue(DEFAULT_FROM));
        if (!(from instanceof JsonString fromName)) {
            return badRequest(ErrorCode.BAD_REQUEST, "from must be a string");
        }
        JsonValue key = json.getOrDefault("key", JsonValue.NULL);
        if (key != JsonValue.NULL && !(key instanceof JsonString)) {
            return badRequest(ErrorCode.BAD_REQUEST, SendKeys.RULE);
        }
        Publisher.Publication result = publisher.publish(clubId, fromName.getString(), message.getString(),
                key instanceof JsonString keyText ? keyText.getString() : null);
        if (result instanceof Publisher.Refused refused) {
            return refused.code() == ErrorCode.UNAVAILABLE
                    ? new OpsResponse(503, JSON, Map.of(), error(refused.code().wireName(), refused.detail()).toString())
                    : badRequest(refused.code(), refused.detail());
        }
        Publisher.Published published = (Publisher.Published) result;
        return new OpsResponse(published.duplicate() ? 200 : 201, JSON, Map.of(), Json.createObjectBuilder()
                .add("clubId", clubId).add("seq", published.seq()).add("duplicate", published.duplicate()).build().toString());
    }

    /** Every club with its member count, its seq and epoch, from every node. */
    private OpsResponse clubList() {
        JsonArrayBuilder list = Json.createArrayBuilder();
        for (ClubView view : clubs.clubs()) {
            list.add(Json.createObjectBuilder().add("clubId", view.clubId()).add("members", view.members().size())
                    .add("seq", view.seq()).add("epoch", view.epoch()));
        }
        return new OpsResponse(200, JSON, Map.of("Cache-Control", "no-store"),
                Json.createObjectBuilder().add("clubs", list).build().toString());
    }

    /** Closes every connection of a user, on every node, with 1008; answered before the far nodes act. */
    private OpsResponse disconnect(String body) {
        JsonObject json;
        try {
            json = Json.createReader(new StringReader(body)).readObject();
        } catch (RuntimeException e) {
            return badRequest(ErrorCode.BAD_JSON, "the body must be a JSON object");
        }
        Connections.Disconnect user = null;
        for (String field : List.of(Connections.Disconnect.NAME, Connections.Disconnect.SUB)) {
            if (json.get(field) instanceof JsonString value) {
                user = new Connections.Disconnect(field, value.getString());
            }
        }
        if (user == null) {
            return badRequest(ErrorCode.BAD_REQUEST, "name or sub is required and must be a string");
        }
        clubs.broadcast(user.text());
        return new OpsResponse(202, JSON, Map.of(), Json.createObjectBuilder().add(user.field(), user.value()).build().toString());
    }

    /** A club this server does not hold has nobody in it and no messages: the same as a new club. */
    private OpsResponse club(String clubId) {
        if (!ClubIds.isValid(clubId)) {
            return badRequest(ErrorCode.INVALID_CLUB, ClubIds.RULE);
        }
        ClubView view = clubs.view(clubId).orElse(new ClubView(clubId, List.of(), 0, null));
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("clubId", clubId)
                .add("members", Json.createArrayBuilder(view.members()))
                .add("seq", view.seq());
        if (view.epoch() != null) {
            body.add("epoch", view.epoch());
        }
        return new OpsResponse(200, JSON, Map.of(), body.build().toString());
    }

    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        byte[] offered = authorization.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(offered, apiKey);
    }

    private static boolean onlyGet(OpsRequest request) {
        return request.method().equals("GET") || request.method().equals("HEAD");
    }

    static OpsResponse notAllowed(String allowed) {
        return new OpsResponse(405, JSON, Map.of("Allow", allowed), error("method_not_allowed", "use " + allowed).toString());
    }

    static OpsResponse badRequest(ErrorCode code, String detail) {
        return new OpsResponse(400, JSON, Map.of(), error(code.wireName(), detail).toString());
    }

    static JsonObject error(String code, String message) {
        return Json.createObjectBuilder().add("code", code).add("message", message).build();
    }
}
