// Hands DJL the Condense engine, found through META-INF/services/ai.djl.engine.EngineProvider.
package dev.condense.djl;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineProvider;

/** Creates the one {@link CondenseEngine} on first request; that starts nothing native. */
public final class CondenseEngineProvider implements EngineProvider {

    @Override
    public String getEngineName() {
        return CondenseEngine.ENGINE_NAME;
    }

    @Override
    public int getEngineRank() {
        return CondenseEngine.RANK;
    }

    @Override
    public Engine getEngine() {
        return Instance.ENGINE;
    }

    /** Initialized when first touched, once, by the JVM's class initialization. */
    private static final class Instance {
        static final Engine ENGINE = new CondenseEngine();
    }
}
