// Package verdict is the explainable verdict model: weighted, L2-regularised
// logistic regression over sparse named features, with Platt-calibrated
// probabilities, per-feature contributions and an "unknown" outcome when the
// evidence is too thin to decide.
//
// # Features
//
// Callers hand in a map of feature name to value. Names are namespaced by the
// stage that produced them, for example "ind:ps.download.webclient" (an
// indicator), "yara:PS_Cradle" (a YARA rule), "feat:entropy" (a numeric
// statistic), "tok:1a2b" (a hashed token n-gram) and "lang:powershell". A
// value of 0 means "absent"; binary evidence uses 1. Names that the model did
// not see in training are ignored.
//
// Callers that hash tokens can hand in a Vector instead: the named features
// as a list, and the hashed-token features "tok:<hex bucket>" = 1 as bucket
// numbers, which PredictVector looks up in a table compiled when the model
// is built, without making a name per token. It gives bit for bit the result
// of Predict on the equivalent map (Vector.Map).
//
// Features named "lang:*" are context, not evidence: they shift the baseline
// (the prior of a language) but never count towards the evidence needed for a
// decision and are never listed as contributions. When an example or a
// Predict call carries no "lang:*" feature, the model adds "lang:<language>"
// = 1 itself, so training and prediction see the same encoding.
//
// # Scaling and contributions
//
// Each feature j is standardised inside the model, z = (x - mean_j) / scale_j,
// with mean and scale (weighted standard deviation, implicit zeros included)
// computed over the training set; features that never vary are dropped. The
// weights w_j live in that standardised space, so their sizes are comparable
// across binary and numeric features. With TrainOptions.BinaryUnscaled (used for
// the built-in model) indicator features, whose every non-zero value is 1, keep scale 1:
// dividing a token seen in 3 of 10,000 files by its deviation (about 0.017)
// would shrink its L2 penalty 3,000-fold and let it memorise those files. At
// prediction time a value is first clamped to the range seen in training, so
// one outlier cannot dominate.
//
// The log-odds of an input is bias + sum_j w_j * z_j over all features, an
// absent feature having z_j = -mean_j/scale_j. The contribution of a present
// feature is w_j * z_j: its push on the log-odds relative to the training
// average. A typical value of an always-present statistic (entropy, length)
// therefore contributes about nothing, and a rare indicator about its full
// w_j/scale_j. Only features present in the input (non-zero) are reported,
// largest |contribution| first, so every contribution points at real
// evidence; the absent features' terms stay in the baseline.
//
// # Training and calibration
//
// Train is fully deterministic for the same examples, options and seed: the
// feature index is built from sorted names, rows are processed in input order
// with sorted entries, and the optimiser (gonum's L-BFGS) runs sequentially;
// Save of two such models is byte-identical. Train never reads the clock: the
// caller passes TrainOptions.CreatedAt.
//
// Calibration follows the split-then-refit scheme:
//
//  1. A stratified share (CalibrationFraction of every language x class
//     stratum) is held out. Membership is decided by a seeded hash of the
//     example's content, so an example keeps its side of the split when other
//     examples are added, and exact duplicates never straddle the split.
//  2. A model is fitted on the rest, and Platt scaling P = sigmoid(A*s + B) is
//     fitted on its raw log-odds s over the held-out share (with Platt's
//     smoothed targets). Calibration metrics (Brier, log loss, ECE) of the
//     raw and the calibrated probabilities on that share go into Meta.
//  3. The final weights are refitted on all examples; A and B are kept.
//     (The refit sees 1/(1-f) times more data than the model A and B were
//     fitted to, so it is marginally more confident; at the default 20%
//     the effect is small, and every example is used for the weights.)
//
// When the held-out share has fewer than MinCalibrationPerClass examples of
// either class, or the fit is degenerate (A <= 0), calibration is the
// identity and Meta records why.
//
// # Decisions
//
// Predict maps the calibrated score to a Label with Thresholds: Score >=
// Malicious is malicious, else Score >= Suspicious is suspicious, else benign;
// but when fewer than MinFeatures known evidence features are present, or the
// sum of |contribution| over them is below MinEvidence, the label is Unknown
// whatever the score.
//
// # Model file
//
// Save writes versioned JSON ("format_version", "kind", "version", the
// parameters and Meta); Load rejects unknown fields, other format versions,
// inconsistent lengths, unsorted names, non-finite or non-positive scales,
// and any file whose parameters do not hash to its version (the last 12 hex
// digits of Version are a SHA-256 of everything that affects predictions).
//
// MarshalBinary and LoadBinary give the same model in a compact binary form
// (front-coded names, run-length coded parameters) with the same checks;
// it loads several times faster than the JSON, for a model embedded in the
// program. JSON stays the form of model files.
//
// A Model is immutable after Train or Load and safe for concurrent use.
package verdict
