// Package seeds is the expert-curated seed set of automaldesc: a small,
// hand-written collection of malicious and benign scripts in every supported
// language, each labelled with a family, a category, MITRE ATT&CK technique
// ids and a reference analyst summary. The AutoMalDesc loop trains its first
// verdict model on these seeds before pseudo-labelling the unlabelled pool.
//
// Every script was written by the project and is an inert analysis fixture:
// network indicators point at TEST-NET addresses (RFC 5737) or reserved
// top-level domains (.invalid, .example), wallets and keys are fake, and no
// working payload bytes are included. Nothing here may be executed.
//
// The files live in one folder per language, each with a manifest.tsv that
// learning/dataset.ReadManifest reads; the whole tree is embedded in the
// binary and exposed read-only through FS, Load and Read.
package seeds
