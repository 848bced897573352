package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import hudson.model.Computer;
import hudson.model.Label;
import hudson.model.Node;
import hudson.slaves.Cloud;
import io.jenkins.plugins.multiarch.flow.LabelAvailability;
import java.util.List;
import jenkins.model.Jenkins;

/**
 * What Jenkins can offer a label expression now, for {@link io.jenkins.plugins.multiarch.flow.AgentChoice}:
 * an online node with executors, else a cloud that can provision one (asked as {@code NodeProvisioner} asks,
 * with {@link Cloud#canProvision(Cloud.CloudState)}), else offline nodes, else nothing.
 */
final class AgentAvailability {

    private AgentAvailability() {}

    static LabelAvailability of(@CheckForNull String expression) {
        if (expression == null) {
            return LabelAvailability.NONE;
        }
        Jenkins jenkins = Jenkins.get();
        Label label = jenkins.getLabel(expression);
        if (label == null) {
            return LabelAvailability.NONE;
        }
        boolean offlineNodes = false;
        for (Node node : usableNodes(label)) {
            Computer computer = node.toComputer();
            if (computer != null && computer.isOnline()) {
                return LabelAvailability.ONLINE;
            }
            offlineNodes = true;
        }
        if (cloudsThatCanProvision(label) > 0) {
            return LabelAvailability.CLOUD;
        }
        return offlineNodes ? LabelAvailability.OFFLINE : LabelAvailability.NONE;
    }

    /** The label's nodes that can run {@code node(label)}: a node without executors (a built-in node set to 0) never can. */
    static List<Node> usableNodes(Label label) {
        return label.getNodes().stream().filter(n -> n.getNumExecutors() > 0).toList();
    }

    /**
     * How many clouds can provision the label, asked as {@code NodeProvisioner} asks. Not Label.getClouds(): it is
     * cached per label and calls the deprecated canProvision(Label).
     */
    static long cloudsThatCanProvision(Label label) {
        Cloud.CloudState state = new Cloud.CloudState(label, 0);
        return Jenkins.get().clouds.stream().filter(c -> c.canProvision(state)).count();
    }
}
