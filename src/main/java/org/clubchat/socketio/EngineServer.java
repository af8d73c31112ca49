package org.clubchat.socketio;

import static org.clubchat.protocol.JsonP.PROVIDER;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.clubchat.security.OriginPolicy;

/**
 * An Engine.IO 4 server at one path: the handshake, the long-polling requests and the WebSockets of its
 * sessions, as the adapters hand them over. Container-neutral: the WAR's servlet and endpoint and the
 * launcher's handler and endpoint all call this.
 *
 * <p>{@code sessions} is a concurrent map; each session guards its own state.
 */
public final class EngineServer {
    static final String TEXT = "text/plain; charset=UTF-8";
    static final String HTML = "text/html";
    private static final String JSON_TYPE = "application/json";
    private static final int SID_BYTES = 15;

    /** The specification's errors, each answered with HTTP 400 (403 for {@link #FORBIDDEN}) and this JSON. */
    enum Refusal {
        UNKNOWN_TRANSPORT("Transport unknown"),
        UNKNOWN_SID("Session ID unknown"),
        BAD_HANDSHAKE_METHOD("Bad handshake method"),
        BAD_REQUEST("Bad request"),
        FORBIDDEN("Forbidden"),
        UNSUPPORTED_VERSION("Unsupported protocol version"),
        /** Not one of the specification's: the server holds its limit of sessions (HTTP 503, as for any overload). */
        SERVER_FULL("Server full");

        private final String message;

        Refusal(String message) {
            this.message = message;
        }

        String json() {
            return PROVIDER.createObjectBuilder().add("code", ordinal()).add("message", message).build().toString();
        }
    }

    private final EngineOptions options;
    private final EngineHandler.Factory handlers;
    private final OriginPolicy origins;
    private final ScheduledExecutorService timer;
    private final Executor writers;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    /** Sessions let in, counted before they are made, so the limit holds however many handshakes come at once. */
    private final AtomicInteger admitted = new AtomicInteger();

    /**
     * @param timer   runs the heartbeats and timeouts; its tasks never block
     * @param writers write packets that are not written on a sender's own thread; they may block
     */
    public EngineServer(EngineOptions options, EngineHandler.Factory handlers, OriginPolicy origins,
            ScheduledExecutorService timer, Executor writers) {
        this.options = options;
        this.handlers = handlers;
        this.origins = origins;
        this.timer = timer;
        this.writers = writers;
    }

    public EngineOptions options() {
        return options;
    }

    /** Open sessions, whatever their transport. */
    public int size() {
        return sessions.size();
    }

    /** Handles one long-polling HTTP request (or its CORS preflight). */
    public void handle(PollingExchange request) {
        String origin = request.header("Origin");
        if (!origins.allows(origin)) {
            refuse(request, Refusal.FORBIDDEN);
            return;
        }
        PollingExchange exchange = origin == null ? request : withCors(request, origin);
        if (exchange.method().equals("OPTIONS")) {
            String asked = request.header("Access-Control-Request-Headers");
            exchange.respond(204, TEXT, "", Map.of("Access-Control-Allow-Methods", "GET, POST",
                    "Access-Control-Allow-Headers", asked == null ? "content-type" : asked));
            return;
        }
        Map<String, String> query = decodeQuery(exchange.rawQuery());
        Refusal refusal = checkVersionAndTransport(query, "polling");
        if (refusal != null) {
            refuse(exchange, refusal);
            return;
        }
        String sid = query.get("sid");
        if (sid == null) {
            if (!exchange.method().equals("GET")) {
                refuse(exchange, Refusal.BAD_HANDSHAKE_METHOD);
            } else if (!admit()) {
                refuse(exchange, Refusal.SERVER_FULL);
            } else {
                open(query, null).poll(exchange);
            }
            return;
        }
        EngineSession session = sessions.get(sid);
        if (session == null) {
            refuse(exchange, Refusal.UNKNOWN_SID);
        } else if (exchange.method().equals("GET")) {
            session.poll(exchange);
        } else if (exchange.method().equals("POST")) {
            session.post(exchange);
        } else {
            refuse(exchange, Refusal.BAD_REQUEST);
        }
    }

    /**
     * A WebSocket opened at this server's path: a new WebSocket-only session, or the probe of an upgrade.
     * Its origin was checked before the upgrade, by the adapter ({@code HandshakeGate.admitOrigin}), where
     * a refusal can still be an HTTP 403.
     *
     * @return where the adapter reports the socket's messages, or null if the engine refuses it (a bad
     *         query, an unknown session, the limit of sessions), in which case the adapter closes it
     */
    public EngineSocket.Listener open(String rawQuery, EngineSocket socket) {
        Map<String, String> query = decodeQuery(rawQuery);
        if (checkVersionAndTransport(query, "websocket") != null) {
            return null;
        }
        String sid = query.get("sid");
        if (sid == null) {
            return admit() ? open(query, socket).socketListener() : null;
        }
        EngineSession session = sessions.get(sid);
        return session == null ? null : session.probe(socket);
    }

    /** Takes a place for a new session, if there is one under the limit. */
    private boolean admit() {
        if (admitted.incrementAndGet() > options.maxSessions()) {
            admitted.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A new session, in the place {@link #admit} took for it. */
    private EngineSession open(Map<String, String> query, EngineSocket socket) {
        String sid = newId();
        EngineSession session = new EngineSession(sid, this, query, socket);
        sessions.put(sid, session);
        String openPacket = "0" + PROVIDER.createObjectBuilder()
                .add("sid", sid)
                .add("upgrades", socket == null ? PROVIDER.createArrayBuilder().add("websocket") : PROVIDER.createArrayBuilder())
                .add("pingInterval", options.pingInterval().toMillis())
                .add("pingTimeout", options.pingTimeout().toMillis())
                .add("maxPayload", options.maxPayload())
                .build();
        session.start(handlers, openPacket);
        return session;
    }

    /** Closes every session, as the server stops. */
    public void closeAll() {
        sessions.values().forEach(session -> session.close("server shutting down"));
    }

    /** A fresh random id, for sessions and for the layers above. */
    public String newId() {
        byte[] bytes = new byte[SID_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Refusal checkVersionAndTransport(Map<String, String> query, String transport) {
        if (!"4".equals(query.get("EIO"))) {
            return Refusal.UNSUPPORTED_VERSION;
        }
        String asked = query.get("transport");
        if (!"polling".equals(asked) && !"websocket".equals(asked)) {
            return Refusal.UNKNOWN_TRANSPORT;
        }
        return asked.equals(transport) ? null : Refusal.BAD_REQUEST;
    }

    void refuse(PollingExchange exchange, Refusal refusal) {
        int status = refusal == Refusal.FORBIDDEN ? 403 : refusal == Refusal.SERVER_FULL ? 503 : 400;
        exchange.respond(status, JSON_TYPE, refusal.json(), Map.of());
    }

    /**
     * A browser on another origin may read the answers: with an allow-list, the origin (which passed it)
     * with credentials, so that cookies for sticky sessions go along; without one, any origin, and no
     * credentials, so that no site can make a browser send its cookies here and read the answer.
     */
    private PollingExchange withCors(PollingExchange exchange, String origin) {
        Map<String, String> cors = origins.allowsAny() ? Map.of("Access-Control-Allow-Origin", "*")
                : Map.of("Access-Control-Allow-Origin", origin, "Access-Control-Allow-Credentials", "true", "Vary", "Origin");
        return new PollingExchange() {
            @Override
            public String method() {
                return exchange.method();
            }

            @Override
            public String rawQuery() {
                return exchange.rawQuery();
            }

            @Override
            public String header(String name) {
                return exchange.header(name);
            }

            @Override
            public String body() {
                return exchange.body();
            }

            @Override
            public void respond(int status, String contentType, String body, Map<String, String> headers) {
                Map<String, String> all = new LinkedHashMap<>(headers);
                all.putAll(cors);
                exchange.respond(status, contentType, body, all);
            }
        };
    }

    /** Each parameter's first value, decoded as UTF-8; a malformed query decodes to what could be read. */
    static Map<String, String> decodeQuery(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                values.putIfAbsent(key, value);
            } catch (IllegalArgumentException e) {
                // A parameter that is not valid percent-encoding is left out.
            }
        }
        return values;
    }

    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    Executor writers() {
        return writers;
    }

    void remove(EngineSession session) {
        if (sessions.remove(session.id(), session)) {
            admitted.decrementAndGet();
        }
    }
}
