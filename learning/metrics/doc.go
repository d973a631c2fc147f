// Package metrics measures classifiers: the binary confusion matrix of a
// malicious/benign verdict (accuracy, precision, recall, F1, FPR, MCC),
// percentile bootstrap confidence intervals, McNemar's test for comparing two
// classifiers on the same samples, rank AUC and Brier score for scores, and
// a multi-class confusion table for language identification.
//
// Conventions: the positive class is "malicious"; every ratio whose
// denominator is zero is defined as 0 (documented per method) so that tables
// never show NaN; randomised procedures take an explicit seed and are
// deterministic for it.
package metrics
