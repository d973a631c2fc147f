package analysis

import (
	"crypto/md5"  //nolint:gosec // MD5 and SHA-1 are identifiers analysts search by, not security primitives here.
	"crypto/sha1" //nolint:gosec // see above
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"

	"github.com/google/uuid"
)

// Sample is one flagged script handed to the engine.
type Sample struct {
	// Data holds the file's bytes. When the intake refused to read an
	// oversized file, Data is nil, Size is the real size and Hashes are set.
	//
	// Data must not be modified once the sample is handed to the engine:
	// the Report may share its memory (the text of a UTF-8 file is not
	// copied, and the original layer's Text is cut from it).
	Data []byte
	// Size is the file's real size; 0 means len(Data).
	Size int64
	// Hashes, when set, were computed by the intake while streaming.
	Hashes *Hashes
	// Name is the file name as received (untrusted: may hold newlines or
	// invalid UTF-8; the report escapes it).
	Name string
	// Path is where the intake found the file, if anywhere.
	Path string
	// Source names the intake: "cli", "watch:<folder>", "plugin", ...
	Source string
	// Signature is the flagging scanner's signature name, if known.
	Signature string
	// Email, when set, is the e-mail the sample was extracted from; the
	// engine copies it (escaped) into Report.Email.
	Email *EmailInfo
}

// LogValue keeps sample bytes out of logs.
func (s Sample) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", s.Name),
		slog.String("source", s.Source),
		slog.Int64("size", s.size()),
	)
}

func (s Sample) size() int64 {
	if s.Size > 0 {
		return s.Size
	}
	return int64(len(s.Data))
}

// Hashes are the digests a report identifies a sample by.
type Hashes struct {
	SHA256, SHA1, MD5 string
}

// HashBytes digests b.
func HashBytes(b []byte) Hashes {
	s256 := sha256.Sum256(b)
	s1 := sha1.Sum(b) //nolint:gosec // identifier, not a security primitive
	m5 := md5.Sum(b)  //nolint:gosec // identifier, not a security primitive
	// The three hex digests share one string: one allocation per sample
	// instead of three.
	var buf [2 * (sha256.Size + sha1.Size + md5.Size)]byte
	n1 := hex.Encode(buf[:], s256[:])
	n2 := n1 + hex.Encode(buf[n1:], s1[:])
	hex.Encode(buf[n2:], m5[:])
	hs := string(buf[:])
	return Hashes{SHA256: hs[:n1], SHA1: hs[n1:n2], MD5: hs[n2:]}
}

// HashReader digests everything r yields and returns the byte count.
func HashReader(r io.Reader) (Hashes, int64, error) {
	h256, h1, h5 := sha256.New(), sha1.New(), md5.New() //nolint:gosec // identifiers
	n, err := io.Copy(io.MultiWriter(h256, h1, h5), r)
	if err != nil {
		return Hashes{}, n, err
	}
	return Hashes{hex.EncodeToString(h256.Sum(nil)), hex.EncodeToString(h1.Sum(nil)), hex.EncodeToString(h5.Sum(nil))}, n, nil
}

// recordNamespace is the UUIDv5 namespace of record ids.
var recordNamespace = uuid.MustParse("8a5c3a0e-4f6b-5d2e-9c61-6175746f6d61")

// RecordID is the deterministic id of the record for (sha256, source,
// signature): the same sample from the same source and signature always gets
// the same id, so every sink can deduplicate on it. When the content could
// not be read (no sha256), the path stands in for it.
//
// The id is uuid.NewSHA1(recordNamespace, key) with key "sha256:<sha256>"
// (or "path:<path>"), NUL, source, NUL, signature, computed here on a stack
// buffer: uuid.NewSHA1 costs six allocations per sample.
func RecordID(sha256, source, signature, path string) string {
	var buf [256]byte
	b := append(buf[:0], recordNamespace[:]...)
	if sha256 != "" {
		b = append(append(b, "sha256:"...), sha256...)
	} else {
		b = append(append(b, "path:"...), path...)
	}
	b = append(append(b, 0), source...)
	b = append(append(b, 0), signature...)
	sum := sha1.Sum(b) //nolint:gosec // a name-based UUID (RFC 4122 version 5), not a security primitive
	var id uuid.UUID
	copy(id[:], sum[:])
	id[6] = id[6]&0x0f | 0x50 // version 5
	id[8] = id[8]&0x3f | 0x80 // RFC 4122 variant
	return id.String()
}
