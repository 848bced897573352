package io.jenkins.plugins.multiarch.jenkins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Run;
import io.jenkins.plugins.multiarch.image.Digest;
import io.jenkins.plugins.multiarch.image.ImageReference;
import io.jenkins.plugins.multiarch.image.MediaType;
import io.jenkins.plugins.multiarch.image.Naming;
import io.jenkins.plugins.multiarch.image.Platform;
import io.jenkins.plugins.multiarch.publish.PublishResult;
import io.jenkins.plugins.multiarch.publish.PublishResult.TagOutcome;
import io.jenkins.plugins.multiarch.record.ArchImageRecord;
import io.jenkins.plugins.multiarch.report.Reports;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.htmlunit.html.DomElement;
import org.htmlunit.html.DomNode;
import org.htmlunit.html.HtmlAnchor;
import org.htmlunit.html.HtmlPage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * What a reviewer reads on the build page and the detail page, and what a deployment job reads from the remote
 * API, for a build whose action holds three images: one published with two platforms and two tags, one published
 * with one platform and a missing optional platform, one built and not published. The action is filled through
 * the same {@code recordBuild}/{@code recordPublish} calls the steps make, with the values a build and a publish
 * return; the pages and the API are the real ones of the controller.
 */
@WithJenkins
class MultiarchActionTest {

    private static final ImageReference APP = ImageReference.parse("registry.example/onap/py-app");
    private static final ImageReference TOOL = ImageReference.parse("registry.example/onap/tool");
    private static final ImageReference PENDING = ImageReference.parse("registry.example/onap/pending");
    private static final Digest PREVIOUS = digest("the list latest pointed at before");
    /** Config plus layers of each published child: 12.3 MiB. */
    private static final long IMAGE_SIZE = 12_897_485;

    private JenkinsRule j;
    private FreeStyleBuild build;
    private ArchImageRecord appAmd64;
    private ArchImageRecord appArm64;
    private PublishResult app;
    private PublishResult tool;

    @BeforeEach
    void setUp(JenkinsRule rule) throws Exception {
        j = rule;
        FreeStyleProject p = j.createFreeStyleProject("reviewed");
        build = j.buildAndAssertSuccess(p);

        appAmd64 = record(APP, "linux/amd64", false);
        appArm64 = record(APP, "linux/arm64", true);
        MultiarchAction.recordBuild(build, appAmd64, recordPath(appAmd64), "agent-amd64");
        MultiarchAction.recordBuild(build, appArm64, recordPath(appArm64), "agent-arm64");
        app = published(
                APP,
                List.of(appAmd64, appArm64),
                List.of(
                        new TagOutcome("1.0", TagOutcome.Status.CREATED, null),
                        new TagOutcome("latest", TagOutcome.Status.UPDATED, PREVIOUS)),
                List.of());
        // distribution 2.8 kept the two digest-naming temporary tags: the page must say so, as the console did
        MultiarchAction.recordPublish(
                build,
                app,
                List.of(APP.withTag("build-amd64-0123456789ab"), APP.withTag("build-arm64v8-0123456789ab")));

        ArchImageRecord toolAmd64 = record(TOOL, "linux/amd64", false);
        MultiarchAction.recordBuild(build, toolAmd64, recordPath(toolAmd64), "agent-amd64");
        tool = published(
                TOOL,
                List.of(toolAmd64),
                List.of(new TagOutcome("2.0", TagOutcome.Status.CREATED, null)),
                List.of(Platform.parse("linux/s390x")));
        MultiarchAction.recordPublish(build, tool, List.of());

        ArchImageRecord pendingArm64 = record(PENDING, "linux/arm64", true);
        MultiarchAction.recordBuild(build, pendingArm64, recordPath(pendingArm64), "agent-arm64");
    }

    @Test
    void buildPageSummaryCountsInWordsAndLinksFromInside() throws Exception {
        HtmlPage page = j.createWebClient().getPage(build);

        // The link to the detail page is the summary's title, not the whole block.
        HtmlAnchor link = page.getAnchorByHref("multiarch/");
        assertEquals(
                Messages.MultiarchAction_DisplayName(), link.asNormalizedText().trim());
        String summary = words(link.getParentNode().asNormalizedText());

        assertTrue(
                summary.contains(APP + " list " + app.listDigest() + " (2 platforms)"),
                "two platforms counted: " + summary);
        assertTrue(
                summary.contains(
                        TOOL + " list " + tool.listDigest() + " (1 platform; missing optional platform: linux/s390x)"),
                "one platform, one missing optional platform, no stray comma: " + summary);
        assertTrue(summary.contains(PENDING + " not published yet, 1 platform built"), summary);
        assertFalse(summary.contains("1 platforms"), summary);
        assertFalse(summary.contains(" ,"), summary);
        assertFalse(summary.contains("[linux/s390x]"), "a list in words, not List.toString(): " + summary);

        // The digest is text that can be selected: no link around it.
        for (PublishResult published : List.of(app, tool)) {
            DomNode code = codeWithText(page, published.listDigest().toString());
            for (DomNode n = code; n != null; n = n.getParentNode()) {
                assertFalse(n instanceof HtmlAnchor, published.listDigest() + " is inside a link");
            }
        }
    }

    @Test
    void buildPageSummaryGivesTagsDigestsModesAndSizesPerPlatform() throws Exception {
        HtmlPage page = j.createWebClient().getPage(build);
        String summary =
                words(page.getAnchorByHref("multiarch/").getParentNode().asNormalizedText());

        assertTrue(summary.contains("tags 1.0, latest"), "the image's tags: " + summary);
        // the list digest has its copy button (core's l:copyButton copies its text attribute)
        assertFalse(page.querySelectorAll("button.jenkins-copy-button[text='" + app.listDigest() + "']")
                .isEmpty());
        for (ArchImageRecord r : List.of(appAmd64, appArm64)) {
            String full = r.digest().toString();
            String shortDigest = full.substring(0, "sha256:".length() + 12);
            DomNode code = codeWithText(page, shortDigest);
            assertEquals(full, ((DomElement) code).getAttribute("title"), "full digest on hover");
        }
        // no previous build: every platform is new
        assertTrue(summary.contains("linux/amd64 " + shortOf(appAmd64) + ", native, 12.3 MiB - new platform"), summary);
        assertTrue(
                summary.contains("linux/arm64 " + shortOf(appArm64) + ", emulated, 12.3 MiB - new platform"), summary);
        // the pending image is not published: no image size yet, its mode still shows
        assertTrue(summary.contains("linux/arm64 " + shortOf(pendingArm64()) + ", emulated - new platform"), summary);
        // its own symbol, not Build Artifacts' cube
        assertEquals("symbol-multiarch-images plugin-multiarch-images", MultiarchAction.ICON);
    }

    @Test
    void detailPageShowsSizesWithUnitsAndWhatEachTagDid() throws Exception {
        HtmlPage page = j.createWebClient().getPage(build, "multiarch/");

        List<String> imageSizes = new ArrayList<>();
        for (DomNode td : page.querySelectorAll("table.multiarch-children td.multiarch-image-size")) {
            imageSizes.add(td.getTextContent().trim());
        }
        assertEquals(List.of("12.3 MiB", "12.3 MiB", "12.3 MiB"), imageSizes, "app's two platforms and tool's one");
        for (DomNode td : page.querySelectorAll("td.multiarch-manifest-size")) {
            assertEquals("1.2 KiB", td.getTextContent().trim(), "the manifest's size, in a column named so");
        }
        List<String> modes = new ArrayList<>();
        for (DomNode td : page.querySelectorAll("table.multiarch-builds td.multiarch-mode")) {
            modes.add(td.getTextContent().trim());
        }
        assertEquals(List.of("native", "emulated", "native", "emulated"), modes);

        List<String> tagTexts = new ArrayList<>();
        for (DomNode td : page.querySelectorAll("table.multiarch-tags td.multiarch-tag-status")) {
            tagTexts.add(td.getTextContent().trim());
        }
        assertEquals("new", tagTexts.get(0));
        assertEquals(
                "moved from " + PREVIOUS.toString().substring(0, 19) + " to "
                        + app.listDigest().toString().substring(0, 19),
                tagTexts.get(1));
        assertFalse(
                page.querySelectorAll("button.jenkins-copy-button[text='" + APP.withTag("latest") + "']")
                        .isEmpty(),
                "a copy button for each tag's reference");
        // the full list digest is on the page, selectable, with its copy button
        codeWithText(page, app.listDigest().toString());

        List<String> temporary = new ArrayList<>();
        for (DomNode td : page.querySelectorAll("td.multiarch-temporary-tags")) {
            temporary.add(words(td.getTextContent()));
        }
        assertEquals(1, temporary.size(), "only app's publish left temporary tags: " + temporary);
        assertTrue(temporary.get(0).startsWith("Left 2 temporary tags in place: "), temporary.get(0));
        assertTrue(
                temporary
                        .get(0)
                        .contains(APP.withTag("build-amd64-0123456789ab").toString()),
                temporary.get(0));
    }

    private static String shortOf(ArchImageRecord r) {
        return r.digest().toString().substring(0, "sha256:".length() + 12);
    }

    private static ArchImageRecord pendingArm64() {
        return record(PENDING, "linux/arm64", true);
    }

    @Test
    void detailPageShowsOnePullCommandPerLine() throws Exception {
        HtmlPage page = j.createWebClient().getPage(build, "multiarch/");

        List<String> blocks = new ArrayList<>();
        for (DomNode pre : page.querySelectorAll("pre.multiarch-pull-commands")) {
            blocks.add(pre.getTextContent());
        }
        // One block per published image, in the order of the page; the pending image has none.
        assertEquals(
                List.of(String.join("\n", Reports.pullCommands(app)), String.join("\n", Reports.pullCommands(tool))),
                blocks);
        List<String> appLines = List.of(blocks.get(0).split("\n", -1));
        assertEquals(3, appLines.size(), "the list and each of its two platforms: " + appLines);
        assertEquals("docker pull " + app.listReference(), appLines.get(0));
        assertEquals("docker pull --platform linux/amd64 " + APP.withTag("1.0"), appLines.get(1));
        assertEquals("docker pull --platform linux/arm64 " + APP.withTag("1.0"), appLines.get(2));

        String text = words(page.asNormalizedText());
        assertTrue(text.contains("linux/s390x"), text);
        assertFalse(text.contains("[linux/s390x]"), "missing optional platforms in words: " + text);
    }

    @Test
    void remoteApiExportsDigestsTagsAndPlatforms() throws Exception {
        JSONObject action =
                multiarchAction(j.getJSON(build.getUrl() + "api/json").getJSONObject());
        assertExported(action);

        // The action's own API serves the same tree.
        JSONObject own = j.getJSON(build.getUrl() + "multiarch/api/json").getJSONObject();
        assertEquals(MultiarchAction.class.getName(), own.getString("_class"));
        assertExported(own);
    }

    private void assertExported(JSONObject action) {
        JSONArray images = action.getJSONArray("images");
        assertEquals(3, images.size(), action.toString());

        JSONObject image = images.getJSONObject(0);
        assertEquals(APP.toString(), image.getString("image"));
        JSONObject pub = image.getJSONObject("publication");
        assertEquals(app.listDigest().toString(), pub.getString("listDigest"));
        assertEquals(app.listReference().toString(), pub.getString("listReference"));
        assertEquals(MediaType.OCI_INDEX.value(), pub.getString("mediaType"));
        assertFalse(pub.getBoolean("dryRun"));

        JSONArray tags = pub.getJSONArray("tags");
        assertEquals(2, tags.size(), tags.toString());
        assertEquals("1.0", tags.getJSONObject(0).getString("tag"));
        assertEquals(APP.withTag("1.0").toString(), tags.getJSONObject(0).getString("reference"));
        assertEquals("created", tags.getJSONObject(0).getString("status"));
        assertEquals("latest", tags.getJSONObject(1).getString("tag"));
        assertEquals("updated", tags.getJSONObject(1).getString("status"));
        assertEquals(PREVIOUS.toString(), tags.getJSONObject(1).getString("previous"));

        JSONArray children = pub.getJSONArray("children");
        assertEquals(2, children.size(), children.toString());
        assertEquals("linux/amd64", children.getJSONObject(0).getString("platform"));
        assertEquals(appAmd64.digest().toString(), children.getJSONObject(0).getString("digest"));
        assertEquals("linux/arm64", children.getJSONObject(1).getString("platform"));
        assertEquals(appArm64.digest().toString(), children.getJSONObject(1).getString("digest"));

        JSONArray builds = image.getJSONArray("builds");
        assertEquals(2, builds.size(), builds.toString());
        JSONObject amd64 = builds.getJSONObject(0);
        JSONObject arm64 = builds.getJSONObject(1);
        assertEquals("linux/amd64", amd64.getString("platform"));
        assertEquals(appAmd64.digest().toString(), amd64.getString("digest"));
        assertEquals(appAmd64.reference().toString(), amd64.getString("reference"));
        assertFalse(amd64.getBoolean("emulated"));
        assertTrue(amd64.getBoolean("verified"));
        assertEquals("linux/arm64", arm64.getString("platform"));
        assertTrue(arm64.getBoolean("emulated"));
        // The stored record stays out of the API.
        assertFalse(amd64.has("recordJson"), amd64.toString());

        JSONObject toolPub = images.getJSONObject(1).getJSONObject("publication");
        assertEquals(tool.listDigest().toString(), toolPub.getString("listDigest"));
        JSONArray missing = toolPub.getJSONArray("missingOptionalPlatforms");
        assertEquals(1, missing.size(), missing.toString());
        assertEquals("linux/s390x", missing.getString(0));

        JSONObject pending = images.getJSONObject(2);
        assertEquals(PENDING.toString(), pending.getString("image"));
        assertEquals(1, pending.getJSONArray("builds").size());
    }

    @Test
    void buildXmlKeepsItsFieldsAndOlderBuildsGetTheirTags() throws Exception {
        String onDisk = Files.readString(new File(build.getRootDir(), "build.xml").toPath(), StandardCharsets.UTF_8);
        assertTrue(onDisk.contains("<listDigest>" + app.listDigest() + "</listDigest>"), onDisk);
        // The fields every earlier build.xml holds keep their names and their form.
        assertTrue(onDisk.contains("<string>" + APP.withTag("1.0") + " (created)</string>"), onDisk);
        for (String field : List.of(
                "<images>", "<builds", "<publication>", "<listReference>", "<mediaType>", "<tags>", "<children>")) {
            assertTrue(onDisk.contains(field), field);
        }

        // A build recorded before the tags were kept as values: its build.xml has no publishedTags.
        MultiarchAction action = build.getAction(MultiarchAction.class);
        String xml = Run.XSTREAM2.toXML(action);
        String older = xml.replaceAll("(?s)<publishedTags>.*?</publishedTags>", "");
        assertNotEquals(xml, older, "the current form holds publishedTags");
        MultiarchAction loaded = (MultiarchAction) Run.XSTREAM2.fromXML(older);
        MultiarchAction.Publication pub = loaded.getImages().get(0).getPublication();
        assertNotNull(pub);
        assertEquals(app.listDigest().toString(), pub.getListDigest());
        List<MultiarchAction.PublishedTag> tags = pub.getPublishedTags();
        assertEquals(
                List.of("1.0", "latest"),
                tags.stream().map(MultiarchAction.PublishedTag::getTag).toList());
        assertEquals(
                List.of(APP.withTag("1.0").toString(), APP.withTag("latest").toString()),
                tags.stream().map(MultiarchAction.PublishedTag::getReference).toList());
        assertEquals(
                List.of("created", "updated"),
                tags.stream().map(MultiarchAction.PublishedTag::getStatus).toList());
        assertNull(tags.get(1).getPrevious(), "older builds did not keep the previous digest");
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static Digest digest(String seed) {
        return Digest.sha256(seed.getBytes(StandardCharsets.UTF_8));
    }

    private static ArchImageRecord record(ImageReference image, String platform, boolean emulated) {
        Platform p = Platform.parse(platform);
        Instant started = Instant.parse("2026-01-01T10:00:00Z");
        return new ArchImageRecord(
                null,
                image,
                List.of(image.withTag("build-" + p.architecture())),
                digest(image + " " + platform),
                MediaType.OCI_MANIFEST,
                1234,
                p,
                p,
                emulated,
                "buildah",
                "1.28.2",
                "builder-host",
                "agent-" + p.architecture(),
                started,
                started.plusSeconds(42),
                null,
                List.of(),
                Naming.DIGEST);
    }

    private static String recordPath(ArchImageRecord r) {
        return "multiarch/" + r.image().repository() + "/" + r.fileName();
    }

    private static PublishResult published(
            ImageReference target, List<ArchImageRecord> records, List<TagOutcome> tags, List<Platform> missing) {
        byte[] list = ("{\"list of\":\"" + target + "\"}").getBytes(StandardCharsets.UTF_8);
        List<PublishResult.Child> children = new ArrayList<>();
        for (ArchImageRecord r : records) {
            children.add(new PublishResult.Child(
                    r.platform(),
                    r.digest(),
                    r.mediaType(),
                    r.size(),
                    r.reference(),
                    "record " + r.fileName(),
                    PublishResult.Transfer.PRESENT,
                    Map.of(),
                    false,
                    null,
                    IMAGE_SIZE));
        }
        return new PublishResult(
                target,
                Digest.sha256(list),
                MediaType.OCI_INDEX,
                list.length,
                list,
                children,
                tags,
                missing,
                List.of(),
                7,
                false);
    }

    /** The multiarch action among a build's exported actions, found by the {@code _class} Stapler writes. */
    private static JSONObject multiarchAction(JSONObject run) {
        JSONArray actions = run.getJSONArray("actions");
        for (int i = 0; i < actions.size(); i++) {
            Object a = actions.get(i);
            if (a instanceof JSONObject o && MultiarchAction.class.getName().equals(o.optString("_class"))) {
                return o;
            }
        }
        throw new AssertionError("no " + MultiarchAction.class.getName() + " in " + actions);
    }

    private static DomNode codeWithText(HtmlPage page, String text) {
        for (DomNode code : page.querySelectorAll("code")) {
            if (code.getTextContent().trim().equals(text)) {
                return code;
            }
        }
        throw new AssertionError("no <code>" + text + "</code> on " + page.getUrl());
    }

    /** Whitespace (non-breaking too) collapsed to single spaces: how the text reads. */
    private static String words(String text) {
        return text.replace('\u00A0', ' ').replaceAll("\\s+", " ").trim();
    }
}
