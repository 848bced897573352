package io.jenkins.plugins.multiarch.jenkins;

import hudson.Util;
import hudson.model.Computer;
import hudson.model.Label;
import hudson.model.Node;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.InvalidInputException;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.builder.BuilderKind;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.image.Tags;
import io.jenkins.plugins.multiarch.publish.ListFormat;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * Form checks for the configuration and the steps. Each one runs the engine's own rule (the one the step,
 * the CLI and the configuration's setters run), so a value the form accepts is a value the build accepts.
 */
final class Validation {

    private Validation() {}

    /** A rule of the engine: throws its {@link MultiarchException} with the message the form shows. */
    @FunctionalInterface
    interface Rule {
        void check();
    }

    static FormValidation of(Rule rule) {
        try {
            rule.check();
            return FormValidation.ok();
        } catch (MultiarchException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    static FormValidation platform(String value, boolean required) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return required ? FormValidation.error(Messages.Validation_PlatformRequired()) : FormValidation.ok();
        }
        try {
            Platform normalized = Platform.parse(value.trim()).normalize();
            if (!normalized.toString().equals(value.trim())) {
                return FormValidation.ok(Messages.Validation_PlatformNormalized(normalized.toString()));
            }
            return FormValidation.ok();
        } catch (MultiarchException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /** One platform per line, none twice (the steps' {@code platforms}). */
    static FormValidation platforms(String lines) {
        return of(() -> Platform.parseDistinct(Lists.lines(lines)));
    }

    /** One tag per line: at least one, each valid, none twice (the steps' {@code tags}). */
    static FormValidation tags(String lines) {
        return of(() -> Tags.parse(Lists.lines(lines)));
    }

    static FormValidation image(String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.error(Messages.Validation_ImageRequired());
        }
        return of(() -> ImageReference.parse(value.trim()));
    }

    /** Empty means the global default. */
    static FormValidation builder(String value) {
        return Util.fixEmptyAndTrim(value) == null ? FormValidation.ok() : of(() -> BuilderKind.parse(value));
    }

    static FormValidation naming(String value) {
        return Util.fixEmptyAndTrim(value) == null ? FormValidation.ok() : of(() -> Naming.parse(value));
    }

    static FormValidation format(String value) {
        return Util.fixEmptyAndTrim(value) == null ? FormValidation.ok() : of(() -> ListFormat.parse(value));
    }

    /** {@code host[:port]} entries separated by commas or white space. */
    static FormValidation registries(String value) {
        return of(() -> Lists.words(value).forEach(ImageReference::parseRegistryHost));
    }

    /**
     * The label must parse and match at least one node or cloud; a warning when none of its nodes is online.
     * Callers check {@link Jenkins#ADMINISTER} (or item permission) first: this reveals node names' count.
     */
    static FormValidation label(String expression) {
        return label(expression, null);
    }

    /**
     * As {@link #label(String)}, for a platform's native label when {@code emulationLabel} may be set: a native label
     * that no agent has is then a warning that names the fallback (builds of the platform run under emulation),
     * not an error.
     */
    static FormValidation label(String expression, String emulationLabel) {
        Label label;
        try {
            // getLabel alone would accept a malformed expression as one odd label atom: parse it first.
            Label parsed = Label.parseExpression(expression.trim());
            label = Jenkins.get().getLabel(expression.trim());
            if (label == null) {
                label = parsed;
            }
        } catch (IllegalArgumentException e) {
            return FormValidation.error(Messages.Validation_LabelInvalid(e.getMessage()));
        }
        // the same facts the dispatch uses (AgentAvailability), so the form never promises what a build cannot get
        List<Node> nodes = AgentAvailability.usableNodes(label);
        if (nodes.isEmpty()) {
            long clouds = AgentAvailability.cloudsThatCanProvision(label);
            if (clouds > 0) {
                return FormValidation.ok(Messages.Validation_LabelCloudOnly(clouds));
            }
            if (emulationLabel != null && !emulationLabel.trim().isEmpty()) {
                return FormValidation.warning(
                        Messages.Validation_LabelNoNodeEmulated(expression.trim(), emulationLabel.trim()));
            }
            return FormValidation.error(Messages.Validation_LabelNoNode(expression.trim()));
        }
        long online = nodes.stream().filter(Validation::isOnline).count();
        if (online == 0) {
            return FormValidation.warning(Messages.Validation_LabelNoneOnline(nodes.size()));
        }
        return FormValidation.ok(Messages.Validation_LabelMatches(nodes.size(), online));
    }

    /** The syntax of a label expression alone (saving the configuration: nodes may come later). */
    static void requireLabelSyntax(String field, String expression) {
        try {
            Label.parseExpression(expression.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field + " '" + expression.trim() + "' is not a valid label expression ("
                    + e.getMessage() + "): write e.g. arm64 or linux && arm64");
        }
    }

    static boolean isOnline(Node node) {
        Computer c = node.toComputer();
        return c != null && c.isOnline();
    }
}
