// Package ioc extracts indicators of compromise from decoded script layers:
// URLs, domains, IPv4 and IPv6 addresses, e-mail addresses, Windows and Unix
// file paths (UNC paths included), registry keys and MD5/SHA-1/SHA-256
// hashes. It also defangs and refangs free text for human display.
//
// Extraction is static, bounded and linear in the size of the layer. The
// layer is first refanged (hxxp://, [.], (.), [dot], [:], [@], fxp:// ...)
// while a position map remembers where every refanged byte came from, so
// an IOC's Value is the raw machine form and its Offset points into the
// layer text as handed in. Each kind of indicator is found by a hand-written
// scanner guarded by a cheap prefilter (no "://" means no URL pass, no '@'
// means no e-mail pass, ...); no regular expressions run on the hot path.
//
// Scripts are the hard case for IOC extraction: member access and file
// names look like domains (System.Net.WebClient, document.write, obj.Run,
// subprocess.run, payload.zip). A bare domain is only reported when its TLD
// is in the embedded list (tlds.txt), the TLD is not a common file
// extension, the first label is not a well-known code identifier, no label
// is camelCase, and the context is not a call, an assignment, x++, a
// variable sigil, a path, a CSS selector or an import. TLDs that are also
// property names (.top, .info, .io, .name, .id ...) and one- or two-letter
// names (minified a.cl, obfuscator fragments 'h.ro') further need host
// context: quotes, "//", a path or a port, or a network command before.
// Hosts inside URLs, e-mail addresses, UNC paths and /dev/tcp/ redirections
// are trusted by context and only need a known TLD. IPv4 addresses reject version strings,
// IPv6 candidates go through net/netip, hashes must be standalone hex tokens
// of exactly 32, 40 or 64 characters that look random.
//
// Every layer yields at most MaxPerLayer IOCs (first appearances win) and no
// Value is longer than MaxValueLen bytes. All functions are safe for
// concurrent use; the package holds only immutable tables.
package ioc
