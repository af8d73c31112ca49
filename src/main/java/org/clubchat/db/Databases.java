package org.clubchat.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.InstantSource;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Where the history store's connections come from: a pool of club-chat's own (HikariCP) for a JDBC URL,
 * or a container's DataSource by JNDI name; and the schema, brought up to date (Flyway, the versioned SQL
 * in {@code db/migration}) or only checked when a DBA runs the migrations.
 */
public final class Databases {
    private static final System.Logger LOG = System.getLogger(Databases.class.getName());
    /** The writer and a few readers; PostgreSQL's connections are dear, and more would not commit faster. */
    private static final int POOL_SIZE = 6;
    private static final long CONNECTION_TIMEOUT_MILLIS = 2000;

    private Databases() {
    }

    /**
     * A store on a pool of its own, the schema migrated (or checked) first. A node that cannot reach the
     * database at start does not start; once running, the pool reconnects by itself.
     *
     * @param keep how long messages are kept; zero keeps everything
     */
    public static PostgresLog pooled(String url, String user, String password, boolean migrate, Duration keep) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("clubchat-db");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);
        config.setValidationTimeout(1000);
        // A connection lost to a stopped server fails within seconds, not with the kernel's TCP timeout.
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", String.valueOf(PostgresLog.STATEMENT_TIMEOUT_SECONDS + 2));
        config.addDataSourceProperty("tcpKeepAlive", "true");
        HikariDataSource pool = new HikariDataSource(config);
        try {
            schema(pool, migrate);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new PostgresLog(pool, pool::close, keep, InstantSource.system());
    }

    /**
     * A store on the container's DataSource, which the container closes.
     *
     * @param keep how long messages are kept; zero keeps everything
     */
    public static PostgresLog fromJndi(String name, boolean migrate, Duration keep) {
        DataSource dataSource;
        try {
            dataSource = (DataSource) new InitialContext().lookup(name);
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("no DataSource at JNDI name " + name + ": " + e.getMessage(), e);
        }
        schema(dataSource, migrate);
        return new PostgresLog(dataSource, () -> { }, keep, InstantSource.system());
    }

    private static void schema(DataSource dataSource, boolean migrate) {
        Flyway flyway = Flyway.configure(Databases.class.getClassLoader()).dataSource(dataSource)
                .locations("classpath:db/migration").load();
        if (migrate) {
            MigrateResult result = flyway.migrate();
            LOG.log(Level.INFO, "history store schema up to date ({0} migrations applied)", result.migrationsExecuted);
        } else {
            flyway.validate();
        }
    }
}
