package io.jenkins.plugins.multiarch.registry;

/** How a blob came to be in a target repository. */
public enum BlobTransfer {
    /** It was there already (HEAD said so, or it is the same repository): nothing sent. */
    PRESENT,
    /** Mounted from another repository of the same registry: one request, no content. */
    MOUNTED,
    /** Its content was streamed from the source into the target. */
    COPIED
}
