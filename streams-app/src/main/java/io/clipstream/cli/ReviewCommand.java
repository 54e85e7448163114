package io.clipstream.cli;

import io.clipstream.config.ClipStreamConfig;
import io.clipstream.review.ConsoleUsers;
import io.clipstream.review.ReviewService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code clipstream review --config FILE}: the review console (see {@link ReviewService}); SIGTERM stops it.
 * {@code clipstream review --hash-password} reads a password from standard input and prints its bcrypt hash for
 * {@code review.users}.
 */
@Command(
        name = "review",
        mixinStandardHelpOptions = true,
        description = "Serve the review console: moderators review flags, decisions go to review-decisions.")
final class ReviewCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file; environment variables win.")
    Path file;

    @Option(
            names = "--hash-password",
            description = "Read a password from standard input (or the console), print"
                    + " its bcrypt hash for review.users, and exit.")
    boolean hashPassword;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static {
        io.clipstream.schema.GeneratedClasses.trust();
    }

    @Override
    public Integer call() throws Exception {
        if (hashPassword) {
            return hashPassword();
        }
        ClipStreamConfig config = ClipStreamConfig.from(ConfigCommand.load(file), System.getenv());
        ReviewService service = ReviewService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            service.close();
                            stopped.countDown();
                        },
                        "clipstream-review-shutdown"));
        spec.commandLine().getOut().println("Review console: " + service.url());
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }

    /** One line of standard input (or a console prompt) to a bcrypt hash. */
    private int hashPassword() throws java.io.IOException {
        char[] password;
        if (System.console() != null) {
            password = System.console().readPassword("Password: ");
        } else {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            password = line == null ? new char[0] : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            spec.commandLine().getErr().println("clipstream: no password given");
            return 2;
        }
        spec.commandLine().getOut().println(ConsoleUsers.hash(password));
        java.util.Arrays.fill(password, '\0');
        return 0;
    }
}
