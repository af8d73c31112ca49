package org.clubchat.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL (Debian's {@code postgresql}) in a temporary folder on a free loopback port, for one
 * test class: {@code initdb} and {@code pg_ctl}, run as the unprivileged {@code postgres} user when the
 * tests run as root (PostgreSQL refuses to run as root). Trust authentication on loopback; database
 * {@code postgres}, user {@code postgres}.
 */
public final class PostgresProcess implements AutoCloseable {
    private static final Path BIN = findBin();
    private final int port;
    private final Path dir;

    private PostgresProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public static PostgresProcess start() throws IOException, InterruptedException {
        if (BIN == null) {
            throw new IllegalStateException("the store's tests need Debian's PostgreSQL: sudo apt-get install postgresql");
        }
        Path dir = Files.createTempDirectory("clubchat-postgres");
        PostgresProcess postgres = new PostgresProcess(ServerProcess.freePort(), dir);
        if (asRoot()) {
            run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
        }
        run(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--locale=C.UTF-8"), true);
        postgres.startAgain();
        return postgres;
    }

    /** A JDBC URL of its {@code postgres} database. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public String user() {
        return "postgres";
    }

    /** Starts it (again, on the same port, with what it stored) and waits until it takes connections. */
    public void startAgain() throws IOException, InterruptedException {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("postgres.log").toString(),
                "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"), true);
        Await.until(Duration.ofSeconds(20), this::takesConnections, () -> "PostgreSQL takes connections on port " + port);
    }

    /** Stops it at once ({@code immediate}: as a crash, without a checkpoint; it recovers from its log on the next start). */
    public void stop() throws IOException, InterruptedException {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop"), true);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), user(), "");
    }

    private boolean takesConnections() {
        try (Connection connection = connect()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs the command, as {@code postgres} when asked and running as root, and fails on a non-zero exit. */
    private static void run(List<String> command, boolean asPostgres) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres && asRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", full) + " failed:\n" + output);
        }
    }

    private static Path findBin() {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(version -> version.resolve("bin")).filter(bin -> Files.isExecutable(bin.resolve("initdb")))
                    .max(Path::compareTo).orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
