// The hidden file every atomic write in Condense goes through before it is renamed over its target.
package dev.condense.io;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writers put their bytes into a new hidden file beside the target and rename it into place when
 * complete, so that a failure never leaves half a file and an existing one is replaced only by a
 * whole one. The file is created plainly rather than with {@code Files.createTempFile}, whose
 * owner-only permissions would stick to the model or report after the rename; this one gets the
 * umask's, like any new file.
 */
public final class TemporaryFiles {

    private static final int ATTEMPTS = 10;

    private TemporaryFiles() {
    }

    /** A new empty file {@code .NAME.RANDOM.tmp} in {@code folder}. */
    public static Path beside(Path folder, String name) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path candidate = folder.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                    + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            }
        }
    }
}
