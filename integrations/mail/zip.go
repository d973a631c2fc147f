package mail

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// archiveBudget is the uncompressed bytes the archives of one message may
// still yield.
type archiveBudget struct {
	left int64
}

// ratioFloor is the entry size below which the compression ratio is not
// checked: small text compresses well without being a bomb.
const ratioFloor = 256 << 10

// isZip reports a ZIP archive by its magic (local file header, or the end
// record of an empty archive).
func isZip(data []byte) bool {
	return bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
}

// escapesRoot reports an entry name that would land outside the
// extraction directory if someone extracted by name: absolute, with a
// drive letter, or with a ".." element (either slash).
func escapesRoot(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) >= 2 && n[1] == ':') {
		return true
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return true
		}
	}
	return false
}

// zip examines the entries of one archive. Entry names are data only:
// nothing is ever written to disk.
func (w *walker) zip(data []byte, mimePart, attachment string, levels []string, budget *archiveBudget) {
	where := mimePart
	if len(levels) > 0 {
		where += "!" + strings.Join(levels, "!")
	}
	// refuse records a refusal of the entry (or, with levels, of the
	// archive itself).
	refuse := func(entryLevels []string, size int64, reason string) {
		pt := Part{Path: mimePart, MIMEPart: mimePart, Attachment: attachment, Name: lastOr(entryLevels, attachment),
			ArchivePath: strings.Join(entryLevels, "/"), Size: size, Skipped: reason}
		if len(entryLevels) > 0 {
			pt.Path += "!" + strings.Join(entryLevels, "!")
		}
		w.add(pt)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		refuse(levels, int64(len(data)), fmt.Sprintf("archive unreadable: %v; not examined", err))
		return
	}
	files := zr.File
	if len(files) > w.lim.MaxArchiveEntries {
		refuse(levels, int64(len(data)), fmt.Sprintf("archive holds %d entries; only the first %d were examined", len(files), w.lim.MaxArchiveEntries))
		files = files[:w.lim.MaxArchiveEntries]
	}
	for i, f := range files {
		if strings.HasSuffix(f.Name, "/") || f.FileInfo().IsDir() {
			continue
		}
		name := cleanName(f.Name)
		el := append(append([]string(nil), levels...), name)
		note := ""
		if escapesRoot(f.Name) {
			note = "entry name escapes the archive root (path traversal); kept as data, never extracted to disk"
			w.problem("part %s: entry %q: %s", where, name, note)
		}
		declared := int64(min(f.UncompressedSize64, 1<<62))
		switch {
		case f.Flags&0x1 != 0:
			refuse(el, declared, "encrypted entry (password-protected archive); content not examined")
			continue
		case budget.left <= 0:
			refuse(el, declared, fmt.Sprintf("archive uncompressed-size budget of %d bytes used up; this entry and %d more not examined",
				w.lim.MaxArchiveBytes, len(files)-i-1))
			return
		case declared > ratioFloor && f.CompressedSize64 > 0 && declared/int64(f.CompressedSize64) > w.lim.MaxRatio:
			refuse(el, declared, fmt.Sprintf("compression ratio %d:1 over the limit %d:1 (zip bomb); not extracted",
				declared/int64(f.CompressedSize64), w.lim.MaxRatio))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			refuse(el, declared, fmt.Sprintf("entry unreadable: %v; not examined", err))
			continue
		}
		// The declared sizes may lie: bound the real output by the entry
		// limit, the archive budget and the ratio.
		limit := min(w.lim.MaxAttachmentSize, budget.left)
		ratioCap := int64(-1)
		if c := int64(min(f.CompressedSize64, 1<<40)); c > 0 {
			ratioCap = max(ratioFloor, c*w.lim.MaxRatio)
			limit = min(limit, ratioCap)
		}
		body, over, rerr := readAtMost(rc, limit)
		rc.Close()
		budget.left -= int64(len(body))
		if rerr != nil {
			// Go's reader stops at the declared size and checks the CRC:
			// an entry whose sizes or checksum lie is refused.
			refuse(el, declared, fmt.Sprintf("entry damaged: %v (sizes or checksum do not match); not extracted", rerr))
			continue
		}
		if over {
			switch {
			case limit == ratioCap && ratioCap < w.lim.MaxAttachmentSize && ratioCap < budget.left+int64(len(body)):
				refuse(el, declared, fmt.Sprintf("entry inflates beyond %d:1 of its compressed size (zip bomb); not extracted", w.lim.MaxRatio))
				continue
			case limit < w.lim.MaxAttachmentSize:
				refuse(el, declared, fmt.Sprintf("archive uncompressed-size budget of %d bytes used up; this entry and %d more not examined",
					w.lim.MaxArchiveBytes, len(files)-i-1))
				return
			}
		}
		before := len(w.msg.Parts)
		w.examine(body, over, name, mimePart, attachment, el)
		if note != "" && len(w.msg.Parts) > before && w.msg.Parts[len(w.msg.Parts)-1].Path == mimePart+"!"+strings.Join(el, "!") {
			w.msg.Parts[len(w.msg.Parts)-1].Note = note
		}
	}
}

func lastOr(list []string, def string) string {
	if len(list) > 0 {
		return list[len(list)-1]
	}
	return def
}
