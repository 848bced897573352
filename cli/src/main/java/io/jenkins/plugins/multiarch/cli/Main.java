package io.jenkins.plugins.multiarch.cli;

import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.MultiarchVersion;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code multiarch}: build per platform, publish one verified multi-arch list, inspect what a registry holds, copy
 * a list to other registries.
 */
@Command(
        name = "multiarch",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "One Dockerfile, one multi-architecture image: build per platform, publish a verified "
                + "OCI index or Docker manifest list, inspect it, copy it to other registries.",
        subcommands = {
            BuildCommand.class,
            PushManifestListCommand.class,
            InspectCommand.class,
            CopyCommand.class,
            CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  success",
            "  1  unexpected internal error",
            "  2  bad input (option, reference, platform, file)",
            "  3  verification failed (platform mismatch, duplicate, missing child or platform, digest mismatch)",
            "  4  registry, authentication or network failure",
            "  5  image build failed"
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is required: build, push-manifest-list, inspect or copy");
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this in-process). */
    public static int run(String... args) {
        return newCommandLine().execute(args);
    }

    static CommandLine newCommandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::handle);
        return cli;
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof MultiarchException me) {
            err.println("error: " + me.getMessage());
            err.flush();
            return me.exitCode();
        }
        err.println("internal error: " + e);
        e.printStackTrace(err);
        err.flush();
        return 1;
    }

    /** The version the build recorded (the same resource the plugin's User-Agent reads). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"multiarch " + MultiarchVersion.get()};
        }
    }
}
