import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JsonSmartJsonProvider;
import com.jayway.jsonpath.spi.mapper.JsonSmartMappingProvider;

import net.minidev.json.JSONStyle;
import net.minidev.json.JSONValue;

/** JSON helpers: Jayway JsonPath 2.0 over json-smart 2.2 (permissive, ordered maps). */
final class Json {
    private Json() {
    }

    private static final Configuration CONF = Configuration.builder()
            .jsonProvider(new JsonSmartJsonProvider())
            .mappingProvider(new JsonSmartMappingProvider())
            .build();

    /** json-smart style that does not escape '/' (the "protect 4 web" flag disables it). */
    private static final JSONStyle NO_SLASH_ESCAPE = new JSONStyle(JSONStyle.FLAG_PROTECT_4WEB);

    /**
     * Reads a JSONPath over a body, parsing the body afresh. A missing definite path throws
     * PathNotFoundException; an invalid path or body throws too.
     */
    static Object read(String body, String path) {
        return JsonPath.using(CONF).parse(body).read(path);
    }

    /** As read, but a missing definite path gives null. */
    static Object parseBody(String body, String path) {
        try {
            return read(body, path);
        } catch (PathNotFoundException e) {
            return null;
        }
    }

    /** Compact JSON text without '/' escaping. */
    static String write(Object value) {
        return JSONValue.toJSONString(value, NO_SLASH_ESCAPE);
    }
}
