// Package decode statically peels obfuscation layers off a script.
//
// Decode never executes anything: every decoder is a pattern-driven
// transformation over text. Layer 0 is the original text; each decoder finds
// decodable spans in a layer and emits new layers (base64 and
// -EncodedCommand payloads, gzip/deflate/zlib/bz2 streams, char-code lists,
// escapes, eval/IEX/Execute literals, batch variable substitution, ...).
// Every new layer is decoded again, breadth first, until the Limits are
// reached. Decoders come in two kinds:
//
//   - extractors emit the decoded payload of one span (Span = the consumed
//     region of the parent text, Method = the decoder id);
//   - rewriters fold literal-level obfuscation in place (string
//     concatenation, -f format, Replace, Chr(), carets, set substitution...).
//     All rewriters of a language run as one pass to a fixed point and emit a
//     single whole-text layer whose Method lists the rewriters that changed
//     the text, joined with "+" (for example "ps.backtick+ps.concat"), and
//     whose Span covers the whole parent text.
//
// Limits bound depth, number of layers, bytes per layer and total bytes;
// decompression goes through io.LimitReader. A cut is never silent: the
// affected layer carries Truncated=true and a Note. Decode may be called
// concurrently; the registry is immutable.
package decode
