// Package mail turns e-mail messages from mail gateways into samples: it
// walks a MIME message (nested multiparts, attached message/rfc822,
// base64 and quoted-printable, RFC 2047 and RFC 2231 names, any charset
// go-message knows) and extracts the script attachments, by extension
// (.ps1 .js .jse .vbs .vbe .wsf .hta .bat .cmd .sh .py ...) or by content
// (a .txt that is a PowerShell script), including scripts inside ZIP
// attachments. Each extracted script carries the message's metadata
// (analysis.EmailInfo) for the report.
//
// Everything in a message is attacker-controlled, so every step is
// bounded (Limits): message size, MIME parts and depth, attachment size,
// archive entries, uncompressed bytes, compression ratio (zip bombs) and
// archive nesting. Archive entry names are data: they are reported,
// never used as file system paths. Every refusal (too large, too deep,
// encrypted, bomb) becomes a Part with Skipped set, never silence;
// tolerated damage (a broken boundary, a bad encoding) is listed in
// Message.Problems.
//
// Two gateway formats are read: amavisd-new quarantine files
// (ReadAmavis: optionally gzipped, an mbox "From " line, X-Envelope-*
// and X-Quarantine-ID headers) and the raw message the rspamd
// metadata_exporter posts (Parse plus the X-Rspamd-* request headers, see
// RspamdInfo).
//
// Importing the package registers go-message's charset tables
// (github.com/emersion/go-message/charset), so headers and names in
// ISO-8859-x, Windows-125x, KOI8, GB18030, Shift_JIS and friends decode.
package mail
