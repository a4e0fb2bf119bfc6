package taishi.esnode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Starts one Elasticsearch node in this JVM and keeps it running until the
 * process gets SIGTERM/SIGINT, when the node is closed cleanly (its data stays
 * on disk). Arguments are Elasticsearch settings written as key=value, e.g.
 * path.home=/tmp/x http.port=9201. Used by scripts/elasticsearch-node.sh.
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Settings.Builder builder = Settings.builder();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("expected key=value, got: " + arg);
                System.exit(2);
            }
            builder.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Settings settings = builder.build();
        if (settings.get("path.home") == null) {
            System.err.println("path.home=... is required");
            System.exit(2);
        }
        Path configDir = Files.createDirectories(Path.of(settings.get("path.home"), "config"));
        // Elasticsearch reads its logging setup from config/log4j2.properties;
        // this one sends INFO and above to stdout (the shell script's log file).
        Files.writeString(configDir.resolve("log4j2.properties"), String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            ""));

        String nodeName = settings.get("node.name", "taishi-test-node");
        LogConfigurator.registerErrorListener();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> nodeName);
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configure(environment, true);

        final Node node;
        try {
            node = new ClasspathNode(environment, List.of(Netty4Plugin.class, RootInfoPlugin.class));
            node.start();
        } catch (Throwable t) {
            System.err.println("elasticsearch test node failed to start: " + t);
            t.printStackTrace();
            System.exit(1);
            return;
        }

        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (node.awaitClose(30, TimeUnit.SECONDS) == false) {
                    System.err.println("node did not close within 30s");
                }
            } catch (Exception e) {
                System.err.println("error while closing the node: " + e);
            } finally {
                closed.countDown();
            }
        }, "taishi-es-shutdown"));
        System.out.println("TAISHI_ES_NODE_STARTED");
        closed.await();
    }
}
