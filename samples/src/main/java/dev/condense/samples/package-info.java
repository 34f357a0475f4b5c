/** Samples a user copies: HTTP serving, edge packaging, DJL integration (issue 8). */
package dev.condense.samples;
