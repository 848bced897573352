package io.jenkins.plugins.multiarch.jenkins;

import edu.umd.cs.findbugs.annotations.NonNull;
import groovy.lang.Binding;
import hudson.Extension;
import org.jenkinsci.plugins.workflow.cps.CpsScript;
import org.jenkinsci.plugins.workflow.cps.GlobalVariable;
import org.jenkinsci.plugins.workflow.cps.GroovySourceFileAllowlist;

/**
 * The {@code multiArchBuild(image:, tags:, platforms:) { body }} variable. A Java step cannot allocate
 * nodes, so the per-platform {@code parallel} + {@code node(label)} composition lives in bundled Groovy
 * ({@code MultiArchBuild.groovy}), loaded as docker-workflow's DockerDSL loads Docker.groovy.
 */
@Extension
public class MultiArchBuildVariable extends GlobalVariable {

    static final String NAME = "multiArchBuild";
    private static final String GROOVY_CLASS = "io.jenkins.plugins.multiarch.jenkins.MultiArchBuild";

    @NonNull
    @Override
    public String getName() {
        return NAME;
    }

    @NonNull
    @Override
    public Object getValue(@NonNull CpsScript script) throws Exception {
        Binding binding = script.getBinding();
        if (binding.hasVariable(NAME)) {
            return binding.getVariable(NAME);
        }
        // A constructor, not a method: a CPS-transformed method called from here would throw CpsCallableInvocation.
        Object value = script.getClass()
                .getClassLoader()
                .loadClass(GROOVY_CLASS)
                .getConstructor(CpsScript.class)
                .newInstance(script);
        binding.setVariable(NAME, value);
        return value;
    }

    /** Lets the CPS class loader load our Groovy source (and only it) from the plugin. */
    @Extension
    public static class Allowlist extends GroovySourceFileAllowlist {

        private final String scriptUrl = MultiArchBuildVariable.class
                .getResource("MultiArchBuild.groovy")
                .toString();

        @Override
        public boolean isAllowed(String groovySourceFileUrl) {
            return groovySourceFileUrl.equals(scriptUrl);
        }
    }
}
