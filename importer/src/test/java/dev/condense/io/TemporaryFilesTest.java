// Tests of TemporaryFiles: hidden, unique, and with the permissions any new file gets (not createTempFile's owner-only ones).
package dev.condense.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TemporaryFilesTest {

    @Test
    void aTemporaryFileIsHiddenUniqueAndHasAPlainFilesPermissions(@TempDir Path dir) throws Exception {
        Set<Path> made = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            Path t = TemporaryFiles.beside(dir, "report.html");
            assertTrue(made.add(t), "unique: " + t);
            assertTrue(t.getFileName().toString().startsWith(".report.html.") && t.toString().endsWith(".tmp"), t.toString());
            assertEquals(dir, t.getParent());
            assertEquals(0, Files.size(t));
        }
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "needs POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        // What the umask gives any new file, and so what a model or report renamed from it keeps.
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(made.iterator().next()));
    }
}
