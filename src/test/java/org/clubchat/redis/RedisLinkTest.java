package org.clubchat.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisLinkTest {
    @Test
    void aClusterUriGivesEverySeedWithThePasswordAndTheTimeout() {
        List<RedisURI> seeds = RedisLink.seeds("redis-cluster://:s3cret@10.0.0.1:7000, 10.0.0.2:7001", Duration.ofSeconds(2));
        assertEquals(List.of("10.0.0.1:7000", "10.0.0.2:7001"), seeds.stream().map(seed -> seed.getHost() + ":" + seed.getPort()).toList());
        for (RedisURI seed : seeds) {
            assertEquals("s3cret", new String(seed.getCredentialsProvider().resolveCredentials().block().getPassword()));
            assertEquals(Duration.ofSeconds(2), seed.getTimeout());
        }
    }

    @Test
    void aClusterUriWithoutAPasswordGivesSeedsWithoutOne() {
        RedisURI seed = RedisLink.seeds("redis-cluster://h:7000", Duration.ofSeconds(2)).get(0);
        assertEquals(null, seed.getCredentialsProvider().resolveCredentials().block().getPassword());
    }
}
