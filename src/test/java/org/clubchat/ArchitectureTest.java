package org.clubchat;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The packages as layers (docs/architecture.md): the core knows no container, dependencies point
 * downwards only, and no two packages depend on each other.
 */
@AnalyzeClasses(packages = "org.clubchat", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String[] CORE = {
        "org.clubchat.protocol..", "org.clubchat.club..", "org.clubchat.delivery..", "org.clubchat.service..",
        "org.clubchat.security..", "org.clubchat.metrics.."};

    @ArchTest
    static final ArchRule coreKnowsNoContainer = noClasses().that().resideInAnyPackage(CORE)
            .should().dependOnClassesThat().resideInAnyPackage(
                    "jakarta.websocket..", "jakarta.servlet..", "org.glassfish..", "io.lettuce..", "io.netty..")
            .because("a second wire protocol or transport plugs in through the core's own interfaces");

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("Protocol").definedBy("org.clubchat.protocol..")
            .layer("Metrics").definedBy("org.clubchat.metrics..")
            .layer("Delivery").definedBy("org.clubchat.delivery..")
            .layer("Club").definedBy("org.clubchat.club..")
            .layer("Security").definedBy("org.clubchat.security..")
            .layer("Service").definedBy("org.clubchat.service..")
            .layer("Redis").definedBy("org.clubchat.redis..")
            .layer("Db").definedBy("org.clubchat.db..")
            .layer("SocketIo").definedBy("org.clubchat.socketio..")
            .layer("Hooks").definedBy("org.clubchat.hooks..")
            .layer("Ops").definedBy("org.clubchat.ops..")
            .layer("Application").definedBy("org.clubchat")
            .layer("Endpoint").definedBy("org.clubchat.endpoint..")
            .layer("Launcher").definedBy("org.clubchat.launcher..")
            .whereLayer("Protocol").mayNotAccessAnyLayer()
            .whereLayer("Metrics").mayOnlyAccessLayers("Protocol")
            .whereLayer("Delivery").mayOnlyAccessLayers("Protocol")
            .whereLayer("Club").mayOnlyAccessLayers("Protocol", "Metrics", "Delivery")
            .whereLayer("Security").mayOnlyAccessLayers("Protocol", "Metrics")
            .whereLayer("Hooks").mayNotAccessAnyLayer()
            .whereLayer("Service").mayOnlyAccessLayers("Protocol", "Metrics", "Delivery", "Club", "Security", "Hooks")
            .whereLayer("Redis").mayOnlyAccessLayers("Protocol", "Metrics", "Delivery", "Club")
            .whereLayer("Ops").mayOnlyAccessLayers("Protocol", "Club", "Service")
            .whereLayer("SocketIo").mayOnlyAccessLayers("Protocol", "Metrics", "Delivery", "Security", "Service")
            .whereLayer("Application").mayOnlyBeAccessedByLayers("Endpoint", "Launcher")
            .whereLayer("Redis").mayOnlyBeAccessedByLayers("Application")
            .whereLayer("Db").mayOnlyAccessLayers("Club")
            .whereLayer("Db").mayOnlyBeAccessedByLayers("Application")
            .whereLayer("Endpoint").mayOnlyBeAccessedByLayers("Launcher")
            .whereLayer("Launcher").mayNotBeAccessedByAnyLayer();

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("org.clubchat.(*)..").should().beFreeOfCycles();
}
