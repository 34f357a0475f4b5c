/** Pruning: masks, magnitude pruning by rate or by quality times standard deviation, structured pruning (issue 5). */
package dev.condense.prune;
