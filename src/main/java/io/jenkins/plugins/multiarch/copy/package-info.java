/**
 * Promotes a verified list (or a single image) to other repositories and registries with every digest kept:
 * {@link io.jenkins.plugins.multiarch.copy.Copier}, {@link io.jenkins.plugins.multiarch.copy.CopyRequest},
 * {@link io.jenkins.plugins.multiarch.copy.CopyTarget}, {@link io.jenkins.plugins.multiarch.copy.CopyResult},
 * {@link io.jenkins.plugins.multiarch.copy.CopyReport}. May import {@code image}, {@code manifest} and
 * {@code registry}.
 */
package io.jenkins.plugins.multiarch.copy;
