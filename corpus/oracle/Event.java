import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import net.minidev.json.JSONValue;
import net.minidev.json.parser.JSONParser;
import net.minidev.json.parser.ParseException;

/** An API Gateway proxy event, turned into the Velocity variables $input, $context, $stageVariables. */
final class Event {
    private final Map<String, Object> event;

    Event(String json) throws ParseException {
        Object parsed = new JSONParser(JSONParser.MODE_RFC4627)
                .parse(json, JSONValue.defaultReader.DEFAULT_ORDERED);
        if (!(parsed instanceof Map)) {
            throw new IllegalArgumentException("event must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) parsed;
        this.event = m;
    }

    /** The body string: base64-decoded (UTF-8) when isBase64Encoded is true; null when absent. */
    String body() {
        Object b = event.get("body");
        if (b == null) {
            return null;
        }
        String s = b instanceof String ? (String) b : Json.write(b);
        if (Boolean.TRUE.equals(event.get("isBase64Encoded"))) {
            return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
        }
        return s;
    }

    /** {path={..}, querystring={..}, header={..}}: values as strings, nulls dropped. */
    Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("path", stringMap(event.get("pathParameters")));
        p.put("querystring", stringMap(event.get("queryStringParameters")));
        p.put("header", stringMap(event.get("headers")));
        return p;
    }

    private static Map<String, Object> stringMap(Object o) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                if (e.getValue() != null) {
                    out.put(e.getKey().toString(), asString(e.getValue()));
                }
            }
        }
        return out;
    }

    private static String asString(Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof Map || v instanceof List) {
            return Json.write(v);
        }
        return v.toString();
    }

    /** requestContext as Java values, plus httpMethod/resourcePath/path and the override maps. */
    @SuppressWarnings("unchecked")
    Map<String, Object> context() {
        Object rc = event.get("requestContext");
        Map<String, Object> ctx = rc instanceof Map
                ? (Map<String, Object>) toJava(rc, false)
                : new LinkedHashMap<>();
        if (ctx.get("authorizer") != null) {
            ctx.put("authorizer", toJava(((Map<String, Object>) rc).get("authorizer"), true));
        }
        addIfMissing(ctx, "httpMethod", event.get("httpMethod"));
        addIfMissing(ctx, "resourcePath", event.get("resource"));
        addIfMissing(ctx, "path", event.get("path"));
        Map<String, Object> req = ensureMap(ctx, "requestOverride");
        ensureMap(req, "header");
        ensureMap(req, "path");
        ensureMap(req, "querystring");
        Map<String, Object> resp = ensureMap(ctx, "responseOverride");
        ensureMap(resp, "header");
        return ctx;
    }

    /** stageVariables as Java values; an empty map when absent. */
    @SuppressWarnings("unchecked")
    Map<String, Object> stageVariables() {
        Object sv = event.get("stageVariables");
        return sv instanceof Map ? (Map<String, Object>) toJava(sv, false) : new LinkedHashMap<>();
    }

    private static void addIfMissing(Map<String, Object> m, String key, Object value) {
        if (m.get(key) == null && value != null) {
            m.put(key, toJava(value, false));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ensureMap(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v instanceof Map) {
            return (Map<String, Object>) v;
        }
        Map<String, Object> fresh = new LinkedHashMap<>();
        m.put(key, fresh);
        return fresh;
    }

    /**
     * JSON value to Java: objects to LinkedHashMap, arrays to ArrayList, integers to Integer
     * (Long when too big for int), other numbers to Double; with stringify (used for
     * requestContext.authorizer) every non-null scalar becomes its String form.
     */
    private static Object toJava(Object v, boolean stringify) {
        if (v instanceof Map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                String k = e.getKey().toString();
                out.put(k, toJava(e.getValue(), stringify));
            }
            return out;
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(toJava(o, stringify));
            }
            return out;
        }
        if (v instanceof Number) {
            v = number((Number) v);
        }
        if (stringify && v != null) {
            return v.toString();
        }
        return v;
    }

    private static Object number(Number n) {
        if (n instanceof Integer) {
            return n;
        }
        if (n instanceof Long) {
            long l = n.longValue();
            return l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Object) (int) l : (Object) l;
        }
        if (n instanceof java.math.BigInteger) {
            java.math.BigInteger b = (java.math.BigInteger) n;
            return b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
        }
        return n.doubleValue();
    }
}
