/** The {@code condense} command line. */
package dev.condense.cli;
