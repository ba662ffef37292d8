// Runs Neo4j Community embedded with its Bolt connector on 127.0.0.1, for tests and for users
// without Docker. Started by scripts/neo4j-local; not meant to be run by hand.
//
// Usage: java ... dangjian.neo4jlocal.Launcher HOME_DIR
// Environment: NEO4J_PORT (Bolt port; 0 or unset = a free port), NEO4J_PAGECACHE_MB (default 128),
// NEO4J_TX_LOG_KEEP (transaction logs kept, Neo4j's db.tx_log.rotation.retention_policy; default
// "1G size": Neo4j's own default keeps two days of them, several GiB per Shanghai-scale import).
// Writes the Bolt port it got to HOME_DIR/bolt.port once the server accepts connections, and
// shuts down cleanly on SIGTERM (shutdown hook) or when its standard input closes.
package dangjian.neo4jlocal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Launcher HOME_DIR");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home);
        Path portFile = home.resolve("bolt.port");
        Files.deleteIfExists(portFile);

        int port = intEnv("NEO4J_PORT", 0);
        long pageCacheMb = intEnv("NEO4J_PAGECACHE_MB", 128);
        String keepTxLogs = System.getenv().getOrDefault("NEO4J_TX_LOG_KEEP", "1G size");

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, pageCacheMb * 1024L * 1024L)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, keepTxLogs)
                .build();

        AtomicBoolean down = new AtomicBoolean(false);
        Runnable shutdown = () -> {
            if (down.compareAndSet(false, true)) {
                System.err.println("neo4j-launcher: shutting down");
                try {
                    Files.deleteIfExists(portFile);
                } catch (IOException e) {
                    // nothing more to do
                }
                dbms.shutdown();
                System.err.println("neo4j-launcher: stopped");
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-launcher-shutdown"));

        // Wait for the default database, then report the Bolt port actually bound.
        GraphDatabaseAPI db = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        db.executeTransactionally("RETURN 1");
        ConnectorPortRegister ports = db.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        HostnamePort bolt = ports.getLocalAddress(ConnectorType.BOLT);
        if (bolt == null) {
            System.err.println("neo4j-launcher: the Bolt connector did not start");
            System.exit(1);
        }
        Path tmp = home.resolve("bolt.port.tmp");
        Files.writeString(tmp, bolt.getPort() + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, portFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.err.println("neo4j-launcher: bolt://127.0.0.1:" + bolt.getPort());

        // Stop when standard input closes (the parent went away), unless it is /dev/null from the
        // start, in which case we just wait for SIGTERM.
        InputStream in = System.in;
        boolean watchStdin = System.getenv("NEO4J_WATCH_STDIN") != null;
        if (watchStdin) {
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // discard
            }
            System.exit(0);
        } else {
            Thread.currentThread().join();
        }
    }

    private static int intEnv(String name, int dflt) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            System.err.println("neo4j-launcher: " + name + " is not a number: " + v);
            System.exit(2);
            return dflt;
        }
    }
}
