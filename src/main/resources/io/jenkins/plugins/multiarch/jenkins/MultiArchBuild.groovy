package io.jenkins.plugins.multiarch.jenkins

/**
 * multiArchBuild(image: 'registry/onap/py-app', tags: ['1.0'], platforms: ['linux/amd64', 'linux/arm64']) { ... }
 *
 * For each platform, in parallel: node(<label multiArchSelectAgent chose>) { body(); buildArchImage(...) },
 * then pushManifestList on the controller. Where a platform builds (native, from a cloud, or emulated, per
 * the emulation: 'never' | 'fallback' | 'always' policy) is decided by that step, in Java, not here.
 * No protocol logic here: only composition of the plugin's steps.
 * Loaded by MultiArchBuildVariable (the docker-workflow Docker.groovy idiom); CPS-transformed, so plain
 * for loops are used and nothing non-serializable is kept in a local variable across a step.
 */
class MultiArchBuild implements Serializable {

    private static final long serialVersionUID = 1L

    private org.jenkinsci.plugins.workflow.cps.CpsScript script

    MultiArchBuild(org.jenkinsci.plugins.workflow.cps.CpsScript script) {
        this.script = script
    }

    /** Without a body: checkout-free builds of what the workspace already holds. */
    def call(Map args) {
        call(args, {})
    }

    def call(Map args, Closure body) {
        if (!args.image) {
            script.error('multiArchBuild: image is required, e.g. multiArchBuild(image: \'registry.example/onap/py-app\', tags: [\'1.0\'], platforms: [\'linux/amd64\', \'linux/arm64\'])')
        }
        List tags = asList(args.tags)
        List required = asList(args.platforms)
        List optional = asList(args.optionalPlatforms)
        if (tags.isEmpty()) {
            script.error('multiArchBuild: tags is required, e.g. tags: [\'1.0\']')
        }
        if (required.isEmpty() && optional.isEmpty()) {
            script.error('multiArchBuild: platforms is required, e.g. platforms: [\'linux/amd64\', \'linux/arm64\']')
        }
        // Checked here, before the branches: an optional platform's failure would otherwise hide a typo.
        if (args.emulation != null && !['never', 'fallback', 'always'].contains(args.emulation.toString())) {
            script.error("multiArchBuild: emulation must be 'never', 'fallback' or 'always', not '${args.emulation}'")
        }
        if (args.emulation != null && args.emulation.toString() == 'never' && args.allowEmulation == true) {
            script.error("multiArchBuild: emulation: 'never' and allowEmulation: true contradict each other: drop one")
        }
        Map results = [:]
        Map branches = [:]
        List all = []
        all.addAll(required)
        all.addAll(optional)
        for (int i = 0; i < all.size(); i++) {
            String platform = all[i]
            boolean isOptional = i >= required.size()
            branches[platform] = { buildOne(args, tags, platform, isOptional, body, results) }
        }
        script.parallel(branches)

        Map publish = [image: args.image, tags: tags]
        if (!required.isEmpty()) {
            publish.platforms = required
        }
        if (!optional.isEmpty()) {
            publish.optionalPlatforms = optional
        }
        copy(args, publish, ['format', 'credentialsId', 'dryRun'])
        if (args.annotations != null) {
            publish.annotations = pairs(args.annotations)
        }
        Map published = script.pushManifestList(publish)
        Map answer = [:]
        answer.putAll(published)
        answer.builds = results
        return answer
    }

    // Not private: CPS closures (the parallel branches) cannot reliably call private methods of their owner.
    void buildOne(Map args, List tags, String platform, boolean isOptional, Closure body, Map results) {
        try {
            Map select = [platform: platform]
            if (args.emulation != null) {
                select.emulation = args.emulation.toString()
            }
            // Answers at once for a label an online agent or a cloud serves: node() below then waits in the
            // queue while the cloud provisions, as for any task. Only a fallback to emulation waits in the step.
            Map choice = script.multiArchSelectAgent(select)
            // Under 'never' (per call or global) a foreign build is refused, even if allowEmulation was given.
            boolean allowEmulation = choice.emulated || (choice.emulation != 'never' && args.allowEmulation == true)
            script.node(choice.label) {
                script.withEnv(["MULTIARCH_PLATFORM=${platform}"]) {
                    body()
                    Map build = [image: args.image, tags: tags, platform: platform,
                                 allowEmulation: allowEmulation]
                    copy(args, build, ['context', 'dockerfile', 'target', 'builder', 'naming', 'credentialsId', 'cache', 'provenance'])
                    if (args.buildArgs != null) {
                        build.buildArgs = pairs(args.buildArgs)
                    }
                    if (args.secretBuildArgs != null) {
                        build.secretBuildArgs = pairs(args.secretBuildArgs) // NAME: credentialsId
                    }
                    results[platform] = script.buildArchImage(build)
                }
            }
        } catch (org.jenkinsci.plugins.workflow.steps.FlowInterruptedException e) {
            throw e // an abort is never swallowed, optional or not
        } catch (Exception e) {
            if (!isOptional) {
                throw e
            }
            script.echo("multiArchBuild: optional platform ${platform} failed and is left out: ${e.message}")
        }
    }

    @com.cloudbees.groovy.cps.NonCPS
    static List asList(Object value) {
        if (value == null) {
            return []
        }
        if (value instanceof Collection) {
            return value.collect { it.toString() }
        }
        return [value.toString()]
    }

    /** A map (buildArgs: [VERSION: '1.0']) or a list of NAME=VALUE entries, as the steps take them. */
    @com.cloudbees.groovy.cps.NonCPS
    static List pairs(Object value) {
        if (value instanceof Map) {
            return value.collect { k, v -> "${k}=${v}".toString() }
        }
        return asList(value)
    }

    @com.cloudbees.groovy.cps.NonCPS
    static void copy(Map from, Map to, List keys) {
        for (String k : keys) {
            if (from[k] != null) {
                to[k] = from[k]
            }
        }
    }
}
