// Which part of a dataset with a fixed train/test division to open.
package dev.condense.data;

/** The training or the test part of a dataset that ships the two separately, such as Fashion-MNIST. */
public enum Split {
    TRAIN,
    TEST
}
