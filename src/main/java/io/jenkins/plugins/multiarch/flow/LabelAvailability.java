package io.jenkins.plugins.multiarch.flow;

/**
 * What the CI system can offer a label expression now, best first. Jenkins decides this from its nodes and
 * clouds; {@link AgentChoice} decides on it without knowing Jenkins.
 */
public enum LabelAvailability {
    /** A node with executors carries the label and is online. */
    ONLINE,
    /** No such node is online, but a cloud can provision one (the queue asks it when a task waits for the label). */
    CLOUD,
    /** Nodes with executors carry the label, none is online, and no cloud provides it. */
    OFFLINE,
    /** Nothing carries the label: no node with executors and no cloud (or no label at all). */
    NONE;

    /** Whether a task handed to this label is served without anyone else acting: an online node or a cloud. */
    public boolean servesNow() {
        return this == ONLINE || this == CLOUD;
    }
}
