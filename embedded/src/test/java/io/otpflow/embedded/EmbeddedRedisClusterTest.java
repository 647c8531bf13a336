package io.otpflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddedRedisClusterTest {

    @Test
    void formsAClusterThatComesBackFromItsFolderWithItsData(@TempDir Path dir) {
        String url;
        try (EmbeddedRedisCluster cluster = EmbeddedRedisCluster.start(dir, 3, 1, Duration.ofSeconds(1))) {
            url = cluster.url();
            assertThat(cluster.nodes()).hasSize(6);
            assertThat(cluster.masterPorts()).hasSize(3);
            for (int master : cluster.masterPorts()) {
                assertThat(cluster.replicasOf(master)).hasSize(1);
            }
            try (RedisClusterClient client = RedisClusterClient.create(seeds(cluster))) {
                for (int i = 0; i < 100; i++) {
                    client.set("k" + i, "v" + i); // 100 keys: every master gets some
                }
            }
            assertThat(cluster.masterPortOf("k1")).isIn(cluster.masterPorts());
        }
        assertThat(dir.resolve("ports")).exists();
        assertThat(dir.resolve("node-0").resolve("nodes.conf")).exists();

        try (EmbeddedRedisCluster again = EmbeddedRedisCluster.start(dir, 3, 1, Duration.ofSeconds(1))) {
            assertThat(again.url()).isEqualTo(url);
            try (RedisClusterClient client = RedisClusterClient.create(seeds(again))) {
                for (int i = 0; i < 100; i++) {
                    assertThat(client.get("k" + i)).isEqualTo("v" + i);
                }
            }
        }
    }

    @Test
    void refusesAFolderFormedForAnotherShape(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ports"), "7000,7001,7002");
        assertThatThrownBy(() -> EmbeddedRedisCluster.start(dir, 3, 1, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("lists 3 nodes, but 6 were asked for");
    }

    private static Set<HostAndPort> seeds(EmbeddedRedisCluster cluster) {
        return cluster.nodes().stream().map(n -> new HostAndPort(n.host(), n.port())).collect(Collectors.toSet());
    }
}
