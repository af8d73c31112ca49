package org.clubchat.endpoint;

import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Which send path each container gets, by the server name it reports. */
class TransportsTest {

    @Test
    void payaraAndGlassFishSendShortMessagesThroughTheMessageWriter() {
        assertSame(Transports.MESSAGE_WRITER, Transports.forServer("Payara Micro 6.2025.10 #badassmicrofish (build 42)"));
        assertSame(Transports.MESSAGE_WRITER, Transports.forServer("Payara Server  7.2025.1 #badassfish (build 10)"));
        assertSame(Transports.MESSAGE_WRITER, Transports.forServer("Eclipse GlassFish  7.0.0"));
    }

    @Test
    void everyOtherContainerSendsWholeMessages() {
        assertSame(Transports.STANDARD, Transports.forServer("Apache Tomcat/11.0.24"));
        assertSame(Transports.STANDARD, Transports.forServer("Apache Tomcat/10.1.59"));
        assertSame(Transports.STANDARD, Transports.forServer("Jetty(12.0.0)"));
    }
}
