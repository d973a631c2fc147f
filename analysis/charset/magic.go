package charset

import "bytes"

// signature is a file-format magic number at a fixed offset.
type signature struct {
	offset int
	magic  string
	name   string
	// needNUL requires a NUL byte in the first 64 bytes, for magics short or
	// printable enough to start a text file ("MZ", "BM").
	needNUL bool
}

// signatures lists binary formats recognised at the start of the input.
// Formats whose headers are text (PDF, RTF, PostScript) are listed because
// they carry binary or non-script content that must not reach the script
// analysers as text.
var signatures = []signature{
	{0, "MZ", "MZ/PE header", true},
	{0, "\x7fELF", "ELF header", false},
	{0, "\xfe\xed\xfa\xce", "Mach-O header", false},
	{0, "\xfe\xed\xfa\xcf", "Mach-O header", false},
	{0, "\xce\xfa\xed\xfe", "Mach-O header", false},
	{0, "\xcf\xfa\xed\xfe", "Mach-O header", false},
	{0, "\xca\xfe\xba\xbe", "Mach-O fat or Java class header", false},
	{0, "dex\n", "Dalvik executable header", true},
	{0, "\x00asm", "WebAssembly header", false},
	{0, "PK\x03\x04", "PK zip header", false},
	{0, "PK\x05\x06", "PK zip header", false},
	{0, "PK\x07\x08", "PK zip header", false},
	{0, "\x1f\x8b", "gzip header", false},
	{0, "BZh", "bzip2 header", false}, // refined in magic()
	{0, "\xfd7zXZ\x00", "xz header", false},
	{0, "\x28\xb5\x2f\xfd", "zstd header", false},
	{0, "7z\xbc\xaf\x27\x1c", "7-zip header", false},
	{0, "Rar!\x1a\x07", "RAR header", false},
	{0, "MSCF\x00\x00\x00\x00", "CAB header", false},
	{257, "ustar", "tar header", false},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE compound document header", false},
	{0, "%PDF-", "PDF header", false},
	{0, "{\\rtf", "RTF document", false},
	{0, "%!PS", "PostScript document", false},
	{0, "\x89PNG\r\n\x1a\n", "PNG image", false},
	{0, "\xff\xd8\xff", "JPEG image", false},
	{0, "GIF87a", "GIF image", false},
	{0, "GIF89a", "GIF image", false},
	{0, "BM", "BMP image", true},
	{0, "II*\x00", "TIFF image", false},
	{0, "MM\x00*", "TIFF image", false},
	{0, "\x00\x00\x01\x00", "ICO image", false},
	{0, "RIFF", "RIFF container (WAV/AVI/WebP)", true},
	{0, "OggS", "Ogg media", true},
	{0, "ID3", "MP3 audio", true},
	{0, "fLaC", "FLAC audio", true},
	{4, "ftyp", "MP4/ISO media", false},
	{0, "\x1aE\xdf\xa3", "Matroska/WebM media", false},
	{0, "SQLite format 3\x00", "SQLite database", false},
	{0, "L\x00\x00\x00\x01\x14\x02\x00", "Windows shortcut (LNK)", false},
	{0, "\x4d\x53\x46\x54", "Windows type library", true}, // "MSFT"
	{0, "wOFF", "WOFF font", true},
	{0, "wOF2", "WOFF2 font", true},
	{0, "\x00\x01\x00\x00\x00", "TrueType font", false},
	{0, "OTTO", "OpenType font", true},
	{0, "!<arch>\n", "ar archive (deb, static library)", false},
	{0, "\xed\xab\xee\xdb", "RPM package", false},
	{0, "\x4c\x01", "COFF object", true},
	{0, "\x64\x86", "COFF object", true},
}

// magic returns the name of the binary format b starts with, or "".
func magic(b []byte) string {
	for _, s := range signatures {
		end := s.offset + len(s.magic)
		if len(b) < end || string(b[s.offset:end]) != s.magic {
			continue
		}
		if s.needNUL && bytes.IndexByte(b[:min(len(b), 64)], 0) < 0 {
			continue
		}
		if s.magic == "BZh" && (len(b) < 10 || string(b[4:10]) != "1AY&SY") {
			continue
		}
		return s.name
	}
	return ""
}
