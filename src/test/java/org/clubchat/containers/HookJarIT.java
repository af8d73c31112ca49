package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hook jar in the WAR's WEB-INF/lib, found by ServiceLoader in the web application's class loader of
 * Tomcat 11 and of Payara Micro 6, as an application would deploy its own rules (docs/hooks.md).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HookJarIT {

    @Test
    void hookJarInTheWarDecidesOnTomcat() throws Exception {
        Path war = warWithHookJar(ServerProcess.freshFolder("hook-war-tomcat").resolve("club-chat.war"));
        int port = ServerProcess.freePort();
        try (ServerProcess tomcat = Tomcat.start("tomcat11-hooks", port, ServerProcess.requiredFile("it.tomcat11.home"),
                Map.of(), Map.of(), war)) {
            assertTheHooksDecide(tomcat);
        }
    }

    @Test
    void hookJarInTheWarDecidesOnPayara() throws Exception {
        Path war = warWithHookJar(ServerProcess.freshFolder("hook-war-payara").resolve("club-chat.war"));
        int port = ServerProcess.freePort();
        try (ServerProcess payara = PayaraMicro.start("payara6-hooks", port, ServerProcess.requiredFile("it.payara6.jar"),
                PayaraMicro.java(Path.of(System.getProperty("java.home"))), List.of(), Map.of(), List.of(), war)) {
            assertTheHooksDecide(payara);
        }
    }

    /** Mallory is refused before any welcome, with the hook's words; what the others say is said in capitals. */
    private static void assertTheHooksDecide(ServerProcess server) {
        try (TestClient mallory = TestClient.connect(server.chatAs("mallory"))) {
            assertNull(mallory.nextOrClosed(), "no welcome");
            TestClient.Closed closed = mallory.awaitClose();
            assertEquals(1008, closed.code());
            assertEquals(ShoutingHooks.BANNED, closed.reason());
        }
        try (TestClient alice = server.connect("alice"); TestClient bob = server.connect("bob")) {
            alice.join("shouting");
            bob.join("shouting");
            alice.expect("presence");
            alice.chat("shouting", "hello from a hook jar, café");
            assertEquals("HELLO FROM A HOOK JAR, CAFÉ", bob.expect("chat").getString("message"));
        }
    }

    /** club-chat's WAR with WEB-INF/lib/shouting-hooks.jar: the hook class and its ServiceLoader entry. */
    private static Path warWithHookJar(Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(ServerProcess.requiredFile("it.war")));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new ZipEntry("WEB-INF/lib/shouting-hooks.jar"));
            writeHookJar(out);
            out.closeEntry();
        }
        return target;
    }

    private static void writeHookJar(OutputStream destination) throws IOException {
        JarOutputStream jar = new JarOutputStream(destination);
        String classFile = ShoutingHooks.class.getName().replace('.', '/') + ".class";
        jar.putNextEntry(new ZipEntry(classFile));
        try (InputStream bytes = ShoutingHooks.class.getClassLoader().getResourceAsStream(classFile)) {
            bytes.transferTo(jar);
        }
        jar.closeEntry();
        jar.putNextEntry(new ZipEntry("META-INF/services/org.clubchat.hooks.ClubChatHooks"));
        jar.write((ShoutingHooks.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
        jar.closeEntry();
        jar.finish();
    }
}
