/** Training and retraining on DJL's PyTorch engine: masked and centroid fine-tuning (issue 6). */
package dev.condense.train;
