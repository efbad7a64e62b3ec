import java.lang.reflect.Method;

import org.apache.velocity.util.introspection.Introspector;
import org.apache.velocity.util.introspection.UberspectImpl;

/**
 * The profile runs nothing reflective (see ../shared facts, "Reflection"): Velocity 1.7's
 * introspector would let `$x.getClass()` and the `$x.class` property reach java.lang.Class.
 * Here `getClass` does not exist for templates, so `$x.getClass()` is null and
 * `$map.class` falls through to `Map.get("class")`, exactly as for any missing getter.
 * Every other Java method resolves as in plain 1.7.
 */
public class NoReflection extends UberspectImpl {
    @Override
    public void init() {
        introspector = new Introspector(log) {
            @Override
            public Method getMethod(Class c, String name, Object[] params) {
                return "getClass".equals(name) ? null : super.getMethod(c, name, params);
            }
        };
    }
}
