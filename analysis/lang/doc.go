// Package lang names the script language of a decoded text.
//
// Identify works from content: a linear model over hashed features (words
// with their sigils, line-start and line-end tokens, token bigrams, token
// shapes such as Verb-Noun cmdlets or %var%, and document properties),
// trained on the shared train corpus with an extra Unknown class learnt from
// non-script files, and embedded as model.bin. Structural checks run first
// and answer Unknown for empty or binary-looking text, HTML, JSON, INI, CSV,
// PHP, Java, Perl, Ruby and prose. A shebang line, the syntax only cmd.exe or
// only PowerShell accepts, Python import lines, and the file name's
// extension adjust the model's scores; the extension is a weak hint only.
//
// Retrain the model with
//
//	go test ./analysis/lang -run TestTrainModel -train
//
// The package is safe for concurrent use.
package lang
