package org.clubchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MetricsTest {
    /** A client may close with any code from 3000 to 4999: those must not each become a label value. */
    @Test
    void closeCodesOutsideRfc6455sOwnAreCountedTogether() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Metrics metrics = new Metrics(registry);
        for (int code = 3000; code < 5000; code++) {
            metrics.connectionClosed(code);
        }
        metrics.connectionClosed(1000);
        metrics.connectionClosed(1008);
        Set<String> codes = registry.find("clubchat.connections.closed").counters().stream()
                .map(counter -> counter.getId().getTag("code")).collect(Collectors.toSet());
        assertEquals(Set.of("1000", "1008", "other"), codes);
        Counter other = registry.find("clubchat.connections.closed").tag("code", "other").counter();
        assertEquals(2000, other.count());
    }
}
