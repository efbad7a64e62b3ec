import org.apache.velocity.app.event.ReferenceInsertionEventHandler;

/**
 * API Gateway prints a null or undefined reference as the empty string, where plain
 * Velocity 1.7 prints the reference's source text. Velocity calls this handler for every
 * reference it inserts (also inside "double-quoted" interpolation); returning "" for a
 * null value makes it print nothing. A non-null value is returned unchanged, so Velocity
 * prints its toString() -- and when toString() itself returns null ($input, $util),
 * Velocity falls back to the literal reference text.
 */
public class NullAsEmpty implements ReferenceInsertionEventHandler {
    public Object referenceInsert(String reference, Object value) {
        return value == null ? "" : value;
    }
}
