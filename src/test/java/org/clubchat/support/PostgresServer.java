package org.clubchat.support;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link PostgresProcess} for a test class: register it as a static {@code @RegisterExtension}
 * field; it is running before the class's own {@code @BeforeAll} methods and stopped after its tests.
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {
    private PostgresProcess process;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        process = PostgresProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (process != null) {
            process.close();
        }
    }

    public String url() {
        return process.url();
    }

    public String user() {
        return process.user();
    }

    public Connection connect() throws SQLException {
        return process.connect();
    }

    /** Stops it at once, as a crash; see {@link PostgresProcess#stop}. */
    public void stop() throws IOException, InterruptedException {
        process.stop();
    }

    public void startAgain() throws IOException, InterruptedException {
        process.startAgain();
    }
}
