package org.clubchat.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.clubchat.support.PostgresServer;
import org.clubchat.support.ServerProcess;
import org.clubchat.support.TestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WAR keeps its history in PostgreSQL through the container's own pool (a JNDI DataSource): on
 * Tomcat 11 (a {@code <Resource>} in the context descriptor, the driver in Tomcat's {@code lib}) and on
 * Payara Micro 6 (a JDBC pool and resource made by post-boot commands). A message survives the WAR's
 * undeploy and redeploy, in its run.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DurableWarIT {
    private static final String MESSAGE = "오래 남는 메시지 — café 🗄️";
    @RegisterExtension
    static final PostgresServer postgres = new PostgresServer();

    private interface Deployment {
        ServerProcess deploy(String name) throws Exception;
    }

    @Test
    void tomcat11KeepsHistoryInItsOwnPoolAcrossARedeploy() throws Exception {
        String resource = "  <Resource name=\"jdbc/clubchat\" auth=\"Container\" type=\"javax.sql.DataSource\""
                + " driverClassName=\"org.postgresql.Driver\" url=\"" + postgres.url() + "\" username=\"postgres\" password=\"\""
                + " maxTotal=\"8\" maxWaitMillis=\"2000\"/>\n";
        survivesARedeploy("tomcat-durable", name -> Tomcat.start(name, ServerProcess.freePort(),
                ServerProcess.requiredFile("it.tomcat11.home"), Map.of(),
                Map.of("clubchat.db.jndi", "java:comp/env/jdbc/clubchat"), ServerProcess.requiredFile("it.war"), resource,
                List.of(driverJar())));
    }

    @Test
    void payara6KeepsHistoryInItsOwnPoolAcrossARedeploy() throws Exception {
        String port = postgres.url().replaceAll(".*:(\\d+)/.*", "$1");
        survivesARedeploy("payara-durable", name -> {
            Path commands = Files.createTempFile(name, ".asadmin");
            Files.writeString(commands, "create-jdbc-connection-pool --datasourceclassname org.postgresql.ds.PGSimpleDataSource"
                    + " --restype javax.sql.DataSource --property serverName=127.0.0.1:portNumber=" + port
                    + ":databaseName=postgres:user=postgres:password=unused clubchat-pool\n"
                    + "create-jdbc-resource --connectionpoolid clubchat-pool jdbc/clubchat\n");
            return PayaraMicro.start(name, ServerProcess.freePort(), ServerProcess.requiredFile("it.payara6.jar"),
                    PayaraMicro.java(Path.of(System.getProperty("java.home"))), List.of("-Dclubchat.db.jndi=jdbc/clubchat"),
                    Map.of(), List.of("--addlibs", driverJar().toString(), "--postbootcommandfile", commands.toString()));
        });
    }

    /** A chat stored through the deployment, which then stops; deployed again, a re-join replays it in the same run. */
    private void survivesARedeploy(String name, Deployment deployment) throws Exception {
        String club = name + "-club";
        String epoch;
        long seq;
        ServerProcess first = deployment.deploy(name);
        try (TestClient alice = first.connect("앨리스")) {
            epoch = alice.join(club).getString("epoch");
            seq = alice.chat(club, MESSAGE);
        } finally {
            first.close();
        }
        ServerProcess second = deployment.deploy(name + "-again");
        try (TestClient bob = second.connect("bob")) {
            bob.send(Json.createObjectBuilder().add("type", "join").add("clubId", club).add("since", 0).add("epoch", epoch));
            JsonObject joined = bob.expect("joined");
            assertEquals(epoch, joined.getString("epoch"), "the same run after a redeploy");
            assertTrue(joined.getBoolean("recovered"));
            JsonObject chat = bob.expect("chat");
            assertEquals(seq, chat.getJsonNumber("seq").longValue());
            assertEquals(MESSAGE, chat.getString("message"));
            assertEquals("앨리스", chat.getString("from"));
            assertEquals(seq + 1, bob.chat(club, "and on 👋"));
        } finally {
            second.close();
        }
    }

    private static Path driverJar() throws URISyntaxException {
        return Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
