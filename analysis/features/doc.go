// Package features computes one feature schema for every language: text
// statistics of the original (size, line lengths, entropy, character
// classes, blobs, character-code runs, comment share), decoding depth, and
// counts of findings by severity, tactic and IOC type. It also builds the
// verdict model's sparse input vector, adding indicator and YARA presence,
// decoder use and hashed token n-grams of every layer.
//
// Everything here is a pure function of its input and bounded in time: at
// most 256 KiB of each layer is read.
package features
