package io.jenkins.plugins.multiarch.jenkins;

import hudson.Util;
import hudson.model.Computer;
import hudson.model.Label;
import hudson.model.Node;
import hudson.util.FormValidation;
import io.jenkins.plugins.multiarch.MultiarchException;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.Platform;
import java.util.Set;
import jenkins.model.Jenkins;

/** Form checks shared by the configuration and the steps. Parsing rules live in core; this only maps them to forms. */
final class Validation {

    private Validation() {}

    static FormValidation platform(String value, boolean required) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return required ? FormValidation.error(Messages.Validation_PlatformRequired()) : FormValidation.ok();
        }
        try {
            Platform parsed = Platform.parse(value.trim());
            Platform normalized = parsed.normalize();
            if (!normalized.toString().equals(value.trim())) {
                return FormValidation.ok(Messages.Validation_PlatformNormalized(normalized.toString()));
            }
            return FormValidation.ok();
        } catch (MultiarchException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    static FormValidation platforms(String lines) {
        for (String line : Lists.lines(lines)) {
            FormValidation v = platform(line, true);
            if (v.kind == FormValidation.Kind.ERROR) {
                return v;
            }
        }
        return FormValidation.ok();
    }

    static FormValidation image(String value) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.error(Messages.Validation_ImageRequired());
        }
        try {
            ImageReference.parse(value.trim());
            return FormValidation.ok();
        } catch (MultiarchException e) {
            return FormValidation.error(e.getMessage());
        }
    }

    /**
     * The label must parse and match at least one node or cloud; a warning when none of its nodes is online.
     * Callers check {@link Jenkins#ADMINISTER} (or item permission) first: this reveals node names' count.
     */
    static FormValidation label(String expression) {
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
        Set<Node> nodes = label.getNodes();
        if (nodes.isEmpty()) {
            if (!label.getClouds().isEmpty()) {
                return FormValidation.ok(
                        Messages.Validation_LabelCloudOnly(label.getClouds().size()));
            }
            return FormValidation.error(Messages.Validation_LabelNoNode(expression.trim()));
        }
        long online = nodes.stream().filter(Validation::isOnline).count();
        if (online == 0) {
            return FormValidation.warning(Messages.Validation_LabelNoneOnline(nodes.size()));
        }
        return FormValidation.ok(Messages.Validation_LabelMatches(nodes.size(), online));
    }

    static boolean isOnline(Node node) {
        Computer c = node.toComputer();
        return c != null && c.isOnline();
    }

    /** Whether any node matching the label expression is online now. */
    static boolean anyOnline(String expression) {
        Label label = Jenkins.get().getLabel(expression);
        return label != null && label.getNodes().stream().anyMatch(Validation::isOnline);
    }

    static FormValidation insecureRegistries(String value) {
        for (String hostPort : Lists.words(value)) {
            if (hostPort.contains("/") || hostPort.contains("@")) {
                return FormValidation.error(Messages.Validation_InsecureRegistryInvalid(hostPort));
            }
        }
        return FormValidation.ok();
    }
}
