package analysis

import (
	"crypto/md5"  //nolint:gosec // see sample.go
	"crypto/sha1" //nolint:gosec // see sample.go
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/uuid"
)

// Frozen copies of replaced code, for the differential tests in
// sample_test.go. Do not edit.

// hashBytesOld is HashBytes before the digests shared one string.
func hashBytesOld(b []byte) Hashes {
	s256 := sha256.Sum256(b)
	s1 := sha1.Sum(b) //nolint:gosec // identifier, not a security primitive
	m5 := md5.Sum(b)  //nolint:gosec // identifier, not a security primitive
	return Hashes{hex.EncodeToString(s256[:]), hex.EncodeToString(s1[:]), hex.EncodeToString(m5[:])}
}

// recordIDOld is RecordID before it hashed on a stack buffer.
func recordIDOld(sha256, source, signature, path string) string {
	key := "sha256:" + sha256
	if sha256 == "" {
		key = "path:" + path
	}
	return uuid.NewSHA1(recordNamespace, []byte(key+"\x00"+source+"\x00"+signature)).String()
}
