package io.jevent.examples.gettingstarted;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docs/getting-started.md shows only code that this module compiles and tests: every code block
 * preceded by a {@code <!-- checked: path#region -->} line must equal that region of the file
 * (between its {@code tag::region[]} and {@code end::region[]} lines, less their common indentation),
 * or the whole file without a region; and every Java block must carry such a line.
 */
class GettingStartedDocTest {
    private static final Pattern CHECKED = Pattern.compile("<!-- checked: ([^#\\s]+)(?:#(\\S+))? -->");

    private static Path root() {
        return Path.of(System.getProperty("jevent.root", ".."));
    }

    private record Block(String language, String text, String checkedPath, String region, int line) {
    }

    private static List<Block> blocks(List<String> doc) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < doc.size(); i++) {
            String fence = doc.get(i);
            if (!fence.startsWith("```")) {
                continue;
            }
            Matcher m = i > 0 ? CHECKED.matcher(doc.get(i - 1).trim()) : CHECKED.matcher("");
            boolean checked = m.matches();
            int start = i + 1;
            int end = start;
            while (!doc.get(end).startsWith("```")) {
                end++;
            }
            blocks.add(new Block(fence.substring(3).trim(), String.join("\n", doc.subList(start, end)),
                    checked ? m.group(1) : null, checked ? m.group(2) : null, i + 1));
            i = end;
        }
        return blocks;
    }

    private static String region(Path file, String region) throws IOException {
        List<String> lines = Files.readAllLines(file, UTF_8);
        if (region == null) {
            return String.join("\n", lines);
        }
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).trim();
            if (l.endsWith("tag::" + region + "[]")) {
                start = i + 1;
            } else if (l.endsWith("end::" + region + "[]")) {
                end = i;
            }
        }
        assertTrue(start >= 0 && end >= start, "no region " + region + " in " + file);
        List<String> body = lines.subList(start, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String l : body) {
            out.add(l.isBlank() ? "" : l.substring(indent));
        }
        return String.join("\n", out);
    }

    @Test
    void everyCheckedCodeBlockEqualsTheCompiledSource() throws IOException {
        List<Block> blocks = blocks(Files.readAllLines(root().resolve("docs/getting-started.md"), UTF_8));
        int checked = 0;
        for (Block b : blocks) {
            if (b.checkedPath() == null) {
                assertFalse(b.language().equals("java"),
                        "getting-started.md line " + b.line() + ": a Java block not checked against a source");
                continue;
            }
            checked++;
            assertEquals(region(root().resolve(b.checkedPath()), b.region()), b.text(),
                    "getting-started.md line " + b.line() + " differs from " + b.checkedPath() + "#" + b.region());
        }
        assertTrue(checked >= 4, "expected the echo, hand-off and both logging blocks to be checked, saw " + checked);
    }

    @Test
    void theSlf4jVersionsInTheDocumentAreTheOnesTestedHere() throws IOException {
        String doc = Files.readString(root().resolve("docs/getting-started.md"), UTF_8);
        String pom = Files.readString(root().resolve("examples-consumer/pom.xml"), UTF_8);
        assertEquals(property(pom, "slf4j.version"), versionAfter(doc, "slf4j-jdk-platform-logging"));
        assertEquals(property(pom, "logback.version"), versionAfter(doc, "logback-classic"));
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        if (!m.find()) {
            fail("no property " + name + " in examples-consumer/pom.xml");
        }
        return m.group(1);
    }

    private static String versionAfter(String doc, String artifactId) {
        Matcher m = Pattern.compile("<artifactId>" + Pattern.quote(artifactId) + "</artifactId>\\s*<version>([^<]+)</")
                .matcher(doc);
        if (!m.find()) {
            fail("getting-started.md names no version for " + artifactId);
        }
        return m.group(1);
    }
}
