package org.clubchat.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProtocolCodecTest {
    private final ProtocolCodec codec = new ProtocolCodec(65536);

    private Inbound decoded(String text) {
        return assertInstanceOf(DecodeResult.Decoded.class, codec.decode(text)).inbound();
    }

    @Test
    void decodesEachClientMessage() {
        assertEquals(new Inbound("a", new ClientMessage.Join("c", OptionalLong.of(7), "e")),
                decoded("{\"type\":\"join\",\"clubId\":\"c\",\"since\":7,\"epoch\":\"e\",\"id\":\"a\"}"));
        assertEquals(new Inbound(null, new ClientMessage.Join("c", OptionalLong.empty(), null)),
                decoded("{\"type\":\"join\",\"clubId\":\"c\"}"));
        assertEquals(new Inbound(null, new ClientMessage.Leave("c")), decoded("{\"type\":\"leave\",\"clubId\":\"c\"}"));
        assertEquals(new Inbound(null, new ClientMessage.Chat("c", "hi", null)),
                decoded("{\"clubId\":\"c\",\"message\":\"hi\",\"type\":\"chat\",\"x\":[1,{}]}"));
        assertEquals(new Inbound(null, new ClientMessage.Chat("c", "hi", "열쇠-🔑")),
                decoded("{\"type\":\"chat\",\"clubId\":\"c\",\"message\":\"hi\",\"key\":\"열쇠-🔑\"}"));
        assertEquals(new Inbound(null, ClientMessage.Ping.INSTANCE), decoded("{\"type\":\"ping\"}"));
        assertEquals(new Inbound("r", new ClientMessage.Auth("t.o.k")), decoded("{\"type\":\"auth\",\"token\":\"t.o.k\",\"id\":\"r\"}"));
        assertEquals(new Inbound(null, new ClientMessage.Auth(null)), decoded("{\"type\":\"auth\",\"token\":7}"));
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1.0,1", "1e2,100", "9223372036854775807,9223372036854775807"})
    void sinceAcceptsEveryIntegralSpellingThatFitsALong(String since, long expected) {
        var join = (ClientMessage.Join) decoded("{\"type\":\"join\",\"clubId\":\"c\",\"since\":" + since + "}").body();
        assertEquals(OptionalLong.of(expected), join.since());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"join\",\"clubId\":\"c\",\"since\":9223372036854775808} | bad_request",
        "{\"type\":\"join\",\"clubId\":\"c\",\"since\":1e999999999}          | bad_request",
        "{\"type\":\"join\",\"clubId\":\"c\",\"since\":-0.5}                 | bad_request",
        "{\"type\":\"join\",\"clubId\":\"c\",\"since\":null}                 | bad_request",
        "{\"a\":1e10000000000}                                              | bad_json",
        "{\"type\":\"ping\"}{}                                              | bad_json",
        "''                                                                 | bad_json",
        "null                                                               | bad_json",
    })
    void rejectsWithTheRightCode(String frame, String code) {
        var rejected = assertInstanceOf(DecodeResult.Rejected.class, codec.decode(frame.strip()));
        assertEquals(code, rejected.code().wireName());
    }

    @Test
    void historyReadsBeforeAndLimitWithTheProtocolsDefault() {
        assertEquals(new Inbound("h", new ClientMessage.History("c", OptionalLong.of(120), 30)),
                decoded("{\"type\":\"history\",\"clubId\":\"c\",\"before\":120,\"limit\":30,\"id\":\"h\"}"));
        assertEquals(new Inbound(null, new ClientMessage.History("c", OptionalLong.empty(), 50)),
                decoded("{\"type\":\"history\",\"clubId\":\"c\"}"));
        assertEquals(new Inbound(null, new ClientMessage.History("c", OptionalLong.of(1), 100)),
                decoded("{\"type\":\"history\",\"clubId\":\"c\",\"before\":1,\"limit\":1e2}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"before\":0", "\"before\":-3", "\"before\":1.5", "\"before\":\"9\"", "\"before\":null",
        "\"limit\":0", "\"limit\":101", "\"limit\":2.5", "\"limit\":\"5\"", "\"limit\":[5]"})
    void historyOutOfRangeOrOfTheWrongTypeIsBadRequest(String field) {
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"history\",\"clubId\":\"c\",\"id\":\"r\"," + field + "}"));
        assertEquals(ErrorCode.BAD_REQUEST, rejected.code(), field);
        assertEquals("r", rejected.requestId());
    }

    @Test
    void historyIsWrittenOldestFirstWithMore() {
        String text = codec.frame(new ServerMessage.History("c", List.of(new ServerMessage.Chat("c", "앨리스", "안녕 🎉", 41, 7),
                new ServerMessage.Chat("c", "bob", "hi", 42, 8)), true), "h").text();
        assertEquals("{\"type\":\"history\",\"id\":\"h\",\"clubId\":\"c\",\"messages\":[{\"seq\":41,\"from\":\"앨리스\","
                + "\"message\":\"안녕 🎉\",\"ts\":7},{\"seq\":42,\"from\":\"bob\",\"message\":\"hi\",\"ts\":8}],\"more\":true}", text);
    }

    @Test
    void membersPagesAfterANameWithTheProtocolsDefault() {
        assertEquals(new Inbound("m", new ClientMessage.Members("c", "앨리스", 20)),
                decoded("{\"type\":\"members\",\"clubId\":\"c\",\"after\":\"앨리스\",\"limit\":20,\"id\":\"m\"}"));
        assertEquals(new Inbound(null, new ClientMessage.Members("c", null, 1000)), decoded("{\"type\":\"members\",\"clubId\":\"c\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\"after\":5", "\"after\":null", "\"limit\":0", "\"limit\":1001", "\"limit\":\"9\""})
    void membersOutOfRangeOrOfTheWrongTypeIsBadRequest(String field) {
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"members\",\"clubId\":\"c\",\"id\":\"r\"," + field + "}"));
        assertEquals(ErrorCode.BAD_REQUEST, rejected.code(), field);
    }

    @Test
    void deleteNamesAClubAndASeq() {
        assertEquals(new Inbound("d", new ClientMessage.Delete("c", 42)),
                decoded("{\"type\":\"delete\",\"clubId\":\"c\",\"seq\":42,\"id\":\"d\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {",\"x\":1", ",\"seq\":-1", ",\"seq\":1.5", ",\"seq\":\"42\"", ",\"seq\":null", ",\"seq\":[1]"})
    void deleteWithoutAnIntegerSeqIsBadRequest(String field) {
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"delete\",\"clubId\":\"c\",\"id\":\"r\"" + field + "}"));
        assertEquals(ErrorCode.BAD_REQUEST, rejected.code(), field);
        assertEquals("r", rejected.requestId());
    }

    @Test
    void aDeletedMessageIsWrittenAsItsTombstone() {
        assertEquals("{\"type\":\"deleted\",\"id\":\"d\",\"clubId\":\"c\",\"seq\":42}",
                codec.frame(new ServerMessage.Deleted("c", 42), "d").text());
        String page = codec.frame(new ServerMessage.History("c", List.of(new ServerMessage.Deleted("c", 41),
                new ServerMessage.Chat("c", "bob", "hi", 42, 8)), false)).text();
        assertEquals("{\"type\":\"history\",\"clubId\":\"c\",\"messages\":[{\"seq\":41,\"deleted\":true},"
                + "{\"seq\":42,\"from\":\"bob\",\"message\":\"hi\",\"ts\":8}],\"more\":false}", page);
    }

    @Test
    void deepNestingIsBadJsonNotAStackOverflow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        var rejected = assertInstanceOf(DecodeResult.Rejected.class, codec.decode("{\"type\":\"ping\",\"x\":" + deep + "}"));
        assertEquals(ErrorCode.BAD_JSON, rejected.code());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"\"\"", "7", "null", "[\"k\"]"})
    void keyThatIsNotAStringOf1To64CharactersIsBadRequest(String key) {
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"chat\",\"clubId\":\"c\",\"message\":\"m\",\"id\":\"r\",\"key\":" + key + "}"));
        assertEquals(ErrorCode.BAD_REQUEST, rejected.code());
        assertEquals("r", rejected.requestId(), "the id is echoed: it was well formed");
    }

    @Test
    void keyIsCountedInCodePoints() {
        var chat = (ClientMessage.Chat) decoded("{\"type\":\"chat\",\"clubId\":\"c\",\"message\":\"m\",\"key\":\""
                + "🔑".repeat(64) + "\"}").body();
        assertEquals("🔑".repeat(64), chat.key());
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"chat\",\"clubId\":\"c\",\"message\":\"m\",\"key\":\"" + "é".repeat(65) + "\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, rejected.code());
    }

    @Test
    void requestIdIsCountedInCodePoints() {
        assertEquals("😀".repeat(64), decoded("{\"type\":\"ping\",\"id\":\"" + "😀".repeat(64) + "\"}").requestId());
        var rejected = assertInstanceOf(DecodeResult.Rejected.class,
                codec.decode("{\"type\":\"ping\",\"id\":\"" + "x".repeat(65) + "\"}"));
        assertNull(rejected.requestId());
    }

    @Test
    void messagesOverTheByteLimitAreTooBigCountingUtf8() {
        ProtocolCodec small = new ProtocolCodec(1024);
        String ascii = "{\"type\":\"ping\",\"p\":\"" + "x".repeat(1024 - 22) + "\"}";
        assertEquals(1024, ascii.length());
        assertInstanceOf(DecodeResult.Decoded.class, small.decode(ascii));
        assertInstanceOf(DecodeResult.TooBig.class, small.decode(ascii.replace("\"p\"", "\"pp\"")));
        String twoByte = "{\"type\":\"ping\",\"p\":\"" + "é".repeat(501) + "\"}";
        assertInstanceOf(DecodeResult.Decoded.class, small.decode(twoByte), "22 + 1002 bytes");
        assertInstanceOf(DecodeResult.TooBig.class, small.decode(twoByte.replace("é\"", "éé\"")));
        assertTrue(ProtocolCodec.exceedsUtf8Bytes("😀".repeat(257), 1024), "an emoji is 4 bytes");
        assertFalse(ProtocolCodec.exceedsUtf8Bytes("😀".repeat(256), 1024));
    }

    @Test
    void encodesEveryServerMessageWithTheWireFieldNames() {
        assertJson("{\"type\":\"welcome\",\"sessionId\":\"s\",\"name\":\"n\",\"protocol\":1}",
                new ServerMessage.Welcome("s", "n", 1), null);
        assertJson("{\"type\":\"joined\",\"id\":\"q\",\"clubId\":\"c\",\"members\":[\"a\",\"b\"],\"seq\":3,\"epoch\":\"e\",\"recovered\":true,\"firstSeq\":2,\"count\":2}",
                new ServerMessage.Joined("c", List.of("a", "b"), 3, "e", true, 2), "q");
        assertJson("{\"type\":\"joined\",\"clubId\":\"c\",\"members\":[],\"seq\":0,\"epoch\":\"e\",\"firstSeq\":1,\"count\":0}",
                new ServerMessage.Joined("c", List.of(), 0, "e", null, 1), null);
        assertJson("{\"type\":\"joined\",\"clubId\":\"c\",\"members\":[\"a\"],\"seq\":0,\"epoch\":\"e\",\"firstSeq\":1,\"count\":1200}",
                new ServerMessage.Joined("c", List.of("a"), 0, "e", null, 1, 1200, null), null);
        assertJson("{\"type\":\"members\",\"id\":\"m\",\"clubId\":\"c\",\"names\":[\"앨리스\",\"😀\"],\"count\":1200,\"more\":true}",
                new ServerMessage.Members("c", List.of("앨리스", "😀"), 1200, true), "m");
        assertJson("{\"type\":\"count\",\"clubId\":\"c\",\"count\":1201}", new ServerMessage.Count("c", 1201), null);
        assertJson("{\"type\":\"chat\",\"clubId\":\"c\",\"from\":\"a\",\"message\":\"<b>\\\"x\\\"\",\"seq\":2,\"ts\":5}",
                new ServerMessage.Chat("c", "a", "<b>\"x\"", 2, 5), null);
        assertJson("{\"type\":\"ack\",\"clubId\":\"c\",\"seq\":9,\"duplicate\":false}", new ServerMessage.Ack("c", 9, false), null);
        assertJson("{\"type\":\"ack\",\"clubId\":\"c\",\"seq\":9,\"duplicate\":true}", new ServerMessage.Ack("c", 9, true), null);
        assertJson("{\"type\":\"presence\",\"clubId\":\"c\",\"event\":\"leave\",\"name\":\"a\"}",
                new ServerMessage.Presence("c", ServerMessage.Presence.Event.LEAVE, "a"), null);
        assertJson("{\"type\":\"left\",\"clubId\":\"c\"}", new ServerMessage.Left("c"), null);
        assertJson("{\"type\":\"left\",\"clubId\":\"c\",\"reason\":\"forbidden\"}",
                new ServerMessage.Left("c", ServerMessage.Left.FORBIDDEN), null);
        assertJson("{\"type\":\"authed\",\"id\":\"a\",\"exp\":1800000000}", new ServerMessage.Authed(1_800_000_000L), "a");
        assertJson("{\"type\":\"pong\",\"id\":\"p\"}", ServerMessage.Pong.INSTANCE, "p");
        assertJson("{\"type\":\"error\",\"code\":\"too_long\",\"message\":\"m\"}",
                new ServerMessage.Error(ErrorCode.TOO_LONG, "m"), null);
    }

    @Test
    void everyServerMessageTypeIsEncoded() {
        for (Class<?> type : ServerMessage.class.getPermittedSubclasses()) {
            assertFalse(sample(type).type().isEmpty(), type::getName);
        }
    }

    private static ServerMessage sample(Class<?> type) {
        List<ServerMessage> samples = List.of(new ServerMessage.Welcome("s", "n", 1),
                new ServerMessage.Joined("c", List.of(), 0, "e", null, 1), new ServerMessage.Chat("c", "a", "m", 1, 1),
                new ServerMessage.Ack("c", 1, false), new ServerMessage.History("c", List.of(), false),
                new ServerMessage.Members("c", List.of(), 0, false), new ServerMessage.Count("c", 0), new ServerMessage.Presence("c", ServerMessage.Presence.Event.JOIN, "a"),
                new ServerMessage.Left("c"), new ServerMessage.Authed(1), ServerMessage.Pong.INSTANCE, new ServerMessage.Error(ErrorCode.BAD_JSON, "m"));
        return samples.stream().filter(type::isInstance).findFirst().orElseThrow(() -> new AssertionError("no sample of " + type));
    }

    private void assertJson(String expected, ServerMessage message, String requestId) {
        String text = codec.frame(message, requestId).text();
        assertEquals(parse(expected), parse(text));
        assertEquals(expected, text, "field order follows the protocol table");
    }

    private static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }
}
