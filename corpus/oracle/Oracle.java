import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.velocity.VelocityContext;
import org.apache.velocity.app.VelocityEngine;

/**
 * Conformance oracle: renders an API Gateway mapping template with the real Apache
 * Velocity 1.7, configured as described in corpus/README.md.
 *
 * Usage:
 *   Oracle render TEMPLATE [EVENT.json] [INTEGRATION_RESPONSE]
 *   Oracle regen CORPUS_DIR
 */
public final class Oracle {
    private Oracle() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("render") && args.length <= 4) {
            String template = read(Paths.get(args[1]));
            String event = args.length >= 3 && !args[2].isEmpty() ? read(Paths.get(args[2])) : null;
            String integ = args.length >= 4 ? read(Paths.get(args[3])) : null;
            try {
                byte[] out = render(template, event, integ).getBytes(StandardCharsets.UTF_8);
                System.out.write(out);
                System.out.flush();
            } catch (Exception | StackOverflowError e) {
                // A comparison of values in a cycle overflows the stack out
                // of Velocity's `==`: a failed render, as in API Gateway.
                System.err.println(message(e));
                System.exit(1);
            }
        } else if (args.length == 2 && args[0].equals("regen")) {
            System.exit(regen(Paths.get(args[1])));
        } else {
            System.err.println("usage: Oracle render TEMPLATE [EVENT.json] [INTEGRATION_RESPONSE]\n"
                    + "       Oracle regen CORPUS_DIR");
            System.exit(2);
        }
    }

    static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** A one-line description of a render failure. */
    static String message(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            m = "";
        }
        // Only the first line: parse errors go on with a long "Was expecting one of" list.
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        m = m.replace("\r", "").trim();
        return e.getClass().getSimpleName() + ": " + m;
    }

    static VelocityEngine engine() throws Exception {
        Properties p = new Properties();
        p.setProperty("runtime.log.logsystem.class", "org.apache.velocity.runtime.log.NullLogChute");
        p.setProperty("directive.foreach.maxloops", "1000");
        p.setProperty("eventhandler.referenceinsertion.class", "NullAsEmpty");
        p.setProperty("runtime.introspector.uberspect", "NoReflection");
        // API Gateway has no template resources: an empty string repository, so #parse and
        // #include always fail with ResourceNotFoundException.
        p.setProperty("resource.loader", "string");
        p.setProperty("string.resource.loader.class",
                "org.apache.velocity.runtime.resource.loader.StringResourceLoader");
        p.setProperty("string.resource.loader.repository.static", "false");
        VelocityEngine ve = new VelocityEngine();
        ve.init(p);
        return ve;
    }

    /** Renders a template with a fresh engine (macros must not leak between renders). */
    static String render(String template, String eventJson, String integrationResponse)
            throws Exception {
        Event event = new Event(eventJson == null ? "{}" : eventJson);
        String body = integrationResponse != null ? integrationResponse : event.body();
        VelocityContext ctx = new VelocityContext();
        ctx.put("input", new Input(body, event.params()));
        ctx.put("util", new Util());
        ctx.put("context", event.context());
        ctx.put("stageVariables", event.stageVariables());
        StringWriter w = new StringWriter();
        engine().evaluate(ctx, w, "template", template);
        return w.toString();
    }

    static int regen(Path corpus) throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.walk(corpus)) {
            cases = s.filter(p -> Files.isRegularFile(p.resolve("template.vm")))
                    .sorted()
                    .collect(Collectors.toList());
        }
        List<String> problems = new ArrayList<>();
        int ok = 0;
        for (Path dir : cases) {
            boolean mustFail = dir.getFileName().toString().startsWith("err_");
            String template = read(dir.resolve("template.vm"));
            Path ev = dir.resolve("event.json");
            Path ir = dir.resolve("integration-response.json");
            String result = null;
            String error = null;
            try {
                result = render(template,
                        Files.exists(ev) ? read(ev) : null,
                        Files.exists(ir) ? read(ir) : null);
            } catch (Exception | StackOverflowError e) {
                error = message(e);
            }
            Path expected = dir.resolve("expected");
            Path expectedError = dir.resolve("expected-error");
            if (mustFail) {
                if (error == null) {
                    problems.add(dir + ": err_ case rendered without error: " + result);
                    continue;
                }
                Files.deleteIfExists(expected);
                writeIfChanged(expectedError, error + "\n");
            } else {
                if (error != null) {
                    problems.add(dir + ": render failed: " + error);
                    continue;
                }
                Files.deleteIfExists(expectedError);
                writeIfChanged(expected, result);
            }
            ok++;
        }
        PrintStream err = System.err;
        for (String p : problems) {
            err.println("PROBLEM " + p);
        }
        err.println("regen: " + ok + " of " + cases.size() + " cases written, "
                + problems.size() + " problems");
        return problems.isEmpty() ? 0 : 1;
    }

    private static void writeIfChanged(Path p, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.exists(p) && java.util.Arrays.equals(Files.readAllBytes(p), bytes)) {
            return;
        }
        Files.write(p, bytes);
    }
}
