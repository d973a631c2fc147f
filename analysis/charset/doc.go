// Package charset turns the raw bytes of a flagged file into text.
//
// Decode recognises UTF-8 (with or without a byte-order mark), UTF-16 in
// either byte order (with or without a BOM, including streams damaged by a
// text-mode LF to CRLF conversion and odd-length, truncated streams) and
// falls back to Windows-1252 ("latin-1") for bytes that are not UTF-8. Binary
// content (executables, archives, images, documents, or data with many NUL
// and control bytes) is refused with an error wrapping ErrBinary that names
// the reason.
//
// Decode runs in time linear in the input and allocates little beyond the
// returned string. It is safe for concurrent use.
package charset
