package org.clubchat.service;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.metrics.Metrics;

/**
 * Runs the host application's hooks ({@link ClubChatHooks}) on the {@code clubchat-hooks} executor with a
 * time limit, in order when there are several (a chat's text as the previous one left it), and turns a
 * hook that throws, runs out of time (queueing included) or finds the executor's queue full into the
 * failure policy's decision.
 * Thread-safe: it holds only final references.
 */
public final class HookRunner {
    private final List<ClubChatHooks> hooks;
    private final ExecutorService executor;
    private final Duration timeout;
    private final ClubChatHooks.Decision onFailure;
    private final Metrics metrics;

    /**
     * @param allowOnFailure the failure policy: allow what a failed hook would have decided, or refuse it
     */
    public HookRunner(List<ClubChatHooks> hooks, ExecutorService executor, Duration timeout, boolean allowOnFailure,
            Metrics metrics) {
        this.hooks = List.copyOf(hooks);
        this.executor = executor;
        this.timeout = timeout;
        this.onFailure = allowOnFailure ? ClubChatHooks.ALLOW
                : ClubChatHooks.refuse("the application could not be asked just now; try again");
        this.metrics = metrics;
    }

    boolean active() {
        return !hooks.isEmpty();
    }

    /** What the hooks decided, and whether the failure policy decided it (the application could not be asked). */
    record Answer(ClubChatHooks.Decision decision, boolean failed) {
    }

    CompletableFuture<Answer> mayConnect(ClubChatHooks.User user) {
        return run("connect", () -> {
            for (ClubChatHooks hook : hooks) {
                if (hook.mayConnect(user) instanceof ClubChatHooks.Refuse refused) {
                    return refused;
                }
            }
            return ClubChatHooks.ALLOW;
        });
    }

    CompletableFuture<ClubChatHooks.Decision> mayJoin(ClubChatHooks.User user, String clubId) {
        return run("join", () -> {
            for (ClubChatHooks hook : hooks) {
                if (hook.mayJoin(user, clubId) instanceof ClubChatHooks.Refuse refused) {
                    return refused;
                }
            }
            return ClubChatHooks.ALLOW;
        }).thenApply(Answer::decision);
    }

    /** Allow, Refuse, or Replace with the text every hook has had its say on. */
    CompletableFuture<ClubChatHooks.Decision> onChat(ClubChatHooks.User user, String clubId, String message) {
        return run("chat", () -> {
            String text = message;
            for (ClubChatHooks hook : hooks) {
                ClubChatHooks.Decision decision = hook.onChat(user, clubId, text);
                if (decision instanceof ClubChatHooks.Refuse) {
                    return decision;
                }
                if (decision instanceof ClubChatHooks.Replace replaced) {
                    text = replaced.text();
                }
            }
            return text.equals(message) ? ClubChatHooks.ALLOW : ClubChatHooks.replace(text);
        }).thenApply(Answer::decision);
    }

    /**
     * Runs the call on the executor, waiting in its queue if every thread is busy; the timeout counts
     * from here, so a call still queued when it passes is answered by the failure policy and never made.
     */
    private CompletableFuture<Answer> run(String hook, Supplier<ClubChatHooks.Decision> call) {
        long start = System.nanoTime();
        CompletableFuture<ClubChatHooks.Decision> decided = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (decided.isDone()) {
                    return;
                }
                try {
                    decided.complete(call.get());
                } catch (RuntimeException e) {
                    decided.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException full) {
            decided.completeExceptionally(full);
        }
        return decided.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((decision, failure) -> failure == null ? new Answer(decision, false) : new Answer(onFailure, true))
                .whenComplete((answer, failure) -> metrics.hookAnswered(hook, System.nanoTime() - start));
    }
}
