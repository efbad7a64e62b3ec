import java.util.LinkedHashMap;
import java.util.Map;

/** The $input object. */
public class Input {
    private final String body;
    private final Map<String, Object> params;

    Input(String body, Map<String, Object> params) {
        this.body = body;
        this.params = params;
    }

    /** The raw body; an empty or absent body reads as "{}". */
    public String getBody() {
        return body == null || body.isEmpty() ? "{}" : body;
    }

    /** The object at a JSONPath; null for an empty body or a missing definite path. */
    public Object path(String p) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        return Json.parseBody(body, p);
    }

    /** JSON text of the value at a JSONPath; "\"\"" for an empty body or a missing path. */
    public String json(String p) {
        if (body == null || body.isEmpty()) {
            return "\"\"";
        }
        Object v;
        try {
            v = Json.read(body, p);
        } catch (com.jayway.jsonpath.PathNotFoundException e) {
            return "\"\"";
        }
        return Json.write(v);
    }

    /** {path={..}, querystring={..}, header={..}} */
    public Map<String, Object> params() {
        return params;
    }

    /** Path, then query string, then header; "" when absent. */
    @SuppressWarnings("unchecked")
    public String params(String name) {
        for (String k : new String[] {"path", "querystring", "header"}) {
            Map<String, Object> m = (Map<String, Object>) params.get(k);
            if (m.containsKey(name)) {
                Object v = m.get(name);
                return v == null ? "" : v.toString();
            }
        }
        return "";
    }

    /** null, so that Velocity prints "$input" for a bare $input. */
    @Override
    public String toString() {
        return null;
    }
}
