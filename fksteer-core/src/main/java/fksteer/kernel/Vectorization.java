package fksteer.kernel;

import java.lang.System.Logger.Level;

/**
 * Whether fksteer's kernels use the Vector API. The API lives in the incubator module
 * {@code jdk.incubator.vector}, which a JVM loads only when asked ({@code java --add-modules
 * jdk.incubator.vector ...}). Without it every kernel falls back to its plain-Java twin and the library
 * logs {@link #FALLBACK_NOTICE} once, at WARNING, through {@link System#getLogger System.Logger} "fksteer"
 * (by default java.util.logging on stderr). {@code -Dfksteer.vector=false} chooses the scalar kernels
 * on purpose, without the notice.
 *
 * <p>Classes that use the Vector API ({@code VectorDense} and the vector paths of the normal generator
 * and of the SDE update) are loaded only when {@link #enabled()} is true, so the library never touches
 * a missing module.
 */
public final class Vectorization {
    /** The incubator module that holds the Vector API. */
    public static final String MODULE = "jdk.incubator.vector";
    /** What is logged, once, when the module is missing. */
    public static final String FALLBACK_NOTICE = "fksteer: " + MODULE + " is not available, so the scalar kernels are used "
            + "(slower; sums may round differently in the last bits); run java with --add-modules " + MODULE + " to use the Vector API";

    private static final boolean PRESENT = ModuleLayer.boot().findModule(MODULE).isPresent();
    private static final boolean REQUESTED = Boolean.parseBoolean(System.getProperty("fksteer.vector", "true"));

    static {
        if (REQUESTED && !PRESENT) System.getLogger("fksteer").log(Level.WARNING, FALLBACK_NOTICE);
    }

    private Vectorization() {}

    /** True when the Vector API module is present and not switched off by -Dfksteer.vector=false. */
    public static boolean enabled() {
        return REQUESTED && PRESENT;
    }

    /** True when the Vector API module is in the boot layer (whatever -Dfksteer.vector says). */
    public static boolean modulePresent() {
        return PRESENT;
    }
}
