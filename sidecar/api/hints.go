package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/automaldesc/automaldesc/integrations/clamav"
)

// Hints takes scanner hints (POST /v1/hints). Add may be called
// concurrently (clamav.Hints satisfies it).
type Hints interface {
	Add(h clamav.Hint) error
}

var _ Hints = (*clamav.Hints)(nil)

// hint takes one clamav.Hint as JSON: 202 when kept, 400 when invalid or
// uncorrelatable, 422 when already too old to keep.
func (h *handler) hint(w http.ResponseWriter, r *http.Request) {
	if h.opt.Hints == nil {
		writeError(w, http.StatusNotFound, "hints are not enabled")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "want Content-Type application/json")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, clamav.MaxHintSize))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body over %d bytes", clamav.MaxHintSize))
			return
		}
		writeError(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	hint, err := clamav.ParseHint(b)
	if err == nil {
		err = h.opt.Hints.Add(hint)
	}
	switch {
	case errors.Is(err, clamav.ErrExpired):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	h.log.Debug("hint accepted", "signature", hint.Signature, "name", hint.Base(), "sha256", hint.SHA256)
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "accepted"})
}
