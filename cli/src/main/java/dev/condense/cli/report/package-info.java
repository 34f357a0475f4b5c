/** {@code condense report}: reading {@code condense sweep} results files and rendering them as HTML, Markdown or CSV. */
package dev.condense.cli.report;
