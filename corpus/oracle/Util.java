import java.io.UnsupportedEncodingException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.apache.commons.lang.StringEscapeUtils;

/**
 * The $util object. Every method takes a String; a call with another argument type does
 * not resolve in Velocity (renders empty). A null argument gives null (renders empty).
 */
public class Util {
    public String escapeJavaScript(String s) {
        return StringEscapeUtils.escapeJavaScript(s);
    }

    public Object parseJson(String s) {
        if (s == null) {
            return null;
        }
        return Json.parseBody(s, "$");
    }

    public String urlEncode(String s) throws UnsupportedEncodingException {
        return s == null ? null : URLEncoder.encode(s, "UTF-8");
    }

    public String urlDecode(String s) throws UnsupportedEncodingException {
        return s == null ? null : URLDecoder.decode(s, "UTF-8");
    }

    public String base64Encode(String s) {
        return s == null ? null : Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    public String base64Decode(String s) {
        return s == null ? null : new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }

    /** null, so that Velocity prints "$util" for a bare $util. */
    @Override
    public String toString() {
        return null;
    }
}
