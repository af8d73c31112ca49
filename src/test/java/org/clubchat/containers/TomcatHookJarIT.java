package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A hook jar in the WAR's WEB-INF/lib, found by ServiceLoader in Tomcat 11's web application class
 * loader, as an application would deploy its own rules (docs/hooks.md).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TomcatHookJarIT {

    @Test
    void hookJarInTheWarDecidesWhatIsSaid() throws Exception {
        Path war = warWithHookJar(ServerProcess.freshFolder("hook-war").resolve("club-chat.war"));
        int port = ServerProcess.freePort();
        try (ServerProcess tomcat = Tomcat.start("tomcat11-hooks", port, ServerProcess.requiredFile("it.tomcat11.home"),
                Map.of(), Map.of(), war); TestClient alice = tomcat.connect("alice"); TestClient bob = tomcat.connect("bob")) {
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
