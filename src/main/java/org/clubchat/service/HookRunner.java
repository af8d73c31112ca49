package org.clubchat.service;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.clubchat.hooks.ClubChatHooks;
import org.clubchat.metrics.Metrics;

/**
 * Runs the host application's hooks ({@link ClubChatHooks}) on the {@code clubchat-hooks} executor with a
 * time limit, in order when there are several (a chat's text as the previous one left it), and turns a
 * hook that throws, runs out of time (queueing included), finds the executor's queue full or answers
 * something unusable into the failure policy's decision.
 *
 * <p>Each call has a deadline: the hooks' timeout, or less when the message has already waited (the
 * protocol's 10 s count from its arrival); a call with no time left is not made. An answer in time is
 * acted upon on the hook's thread; a timeout is decided on the server's timer ({@code clubchat-timer}),
 * never on the JDK's shared delay thread, and what follows it only queues frames and starts
 * asynchronous work. Thread-safe: it holds only final references.
 */
public final class HookRunner {
    private static final System.Logger LOG = System.getLogger(HookRunner.class.getName());
    private final List<ClubChatHooks> hooks;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final Duration timeout;
    private final ClubChatHooks.Decision onFailure;
    private final Metrics metrics;

    /**
     * @param timer          decides the calls that run out of time
     * @param allowOnFailure the failure policy: allow what a failed hook would have decided, or refuse it
     */
    public HookRunner(List<ClubChatHooks> hooks, ExecutorService executor, ScheduledExecutorService timer, Duration timeout,
            boolean allowOnFailure, Metrics metrics) {
        this.hooks = List.copyOf(hooks);
        this.executor = executor;
        this.timer = timer;
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

    /** @param deadline the latest answer, in nanoseconds as {@link System#nanoTime}; the timeout may come sooner */
    CompletableFuture<Answer> mayConnect(ClubChatHooks.User user, long deadline) {
        return run("connect", deadline, decision -> true, () -> {
            for (ClubChatHooks hook : hooks) {
                if (hook.mayConnect(user) instanceof ClubChatHooks.Refuse refused) {
                    return refused;
                }
            }
            return ClubChatHooks.ALLOW;
        });
    }

    CompletableFuture<ClubChatHooks.Decision> mayJoin(ClubChatHooks.User user, String clubId, long deadline) {
        return run("join", deadline, decision -> true, () -> {
            for (ClubChatHooks hook : hooks) {
                if (hook.mayJoin(user, clubId) instanceof ClubChatHooks.Refuse refused) {
                    return refused;
                }
            }
            return ClubChatHooks.ALLOW;
        }).thenApply(Answer::decision);
    }

    /**
     * Allow, Refuse, or Replace with the text every hook has had its say on. A replacement that breaks the
     * rules a client's message meets ({@code acceptable}) is a failed hook.
     */
    CompletableFuture<ClubChatHooks.Decision> onChat(ClubChatHooks.User user, String clubId, String message,
            Predicate<String> acceptable, long deadline) {
        Predicate<ClubChatHooks.Decision> usable = decision ->
                !(decision instanceof ClubChatHooks.Replace replaced) || acceptable.test(replaced.text());
        return run("chat", deadline, usable, () -> {
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
     * Runs the call on the executor, waiting in its queue if every thread is busy; the time limit counts
     * from here, so a call still queued when it passes is answered by the failure policy and never made.
     */
    private CompletableFuture<Answer> run(String hook, long deadline, Predicate<ClubChatHooks.Decision> usable,
            Supplier<ClubChatHooks.Decision> call) {
        long start = System.nanoTime();
        long limit = Math.min(timeout.toNanos(), deadline - start);
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        answer.whenComplete((decided, failure) -> metrics.hookAnswered(hook, System.nanoTime() - start));
        if (limit <= 0) {
            answer.complete(new Answer(onFailure, true));
            return answer;
        }
        ScheduledFuture<?> timedOut;
        try {
            timedOut = timer.schedule(() -> answer.complete(new Answer(onFailure, true)), limit, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            answer.complete(new Answer(onFailure, true));
            return answer;
        }
        try {
            executor.execute(() -> {
                if (answer.isDone()) {
                    return;
                }
                try {
                    ClubChatHooks.Decision decision = call.get();
                    if (usable.test(decision)) {
                        answer.complete(new Answer(decision, false));
                    } else {
                        LOG.log(Level.WARNING, "a {0} hook answered a replacement that breaks the message rules", hook);
                        answer.complete(new Answer(onFailure, true));
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.DEBUG, "a {0} hook failed: {1}", hook, e.toString());
                    answer.complete(new Answer(onFailure, true));
                } finally {
                    timedOut.cancel(false);
                }
            });
        } catch (RejectedExecutionException full) {
            timedOut.cancel(false);
            answer.complete(new Answer(onFailure, true));
        }
        return answer;
    }
}
