package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/automaldesc/automaldesc/config"
	"github.com/automaldesc/automaldesc/integrations/clamav"
	"github.com/automaldesc/automaldesc/sidecar"
)

// clamd's VirusEvent environment (clamd passes nothing else: no PATH, no
// HOME, none of its own environment).
const (
	envVirusEventFile = "CLAM_VIRUSEVENT_FILENAME"
	envVirusEventName = "CLAM_VIRUSEVENT_VIRUSNAME"
)

func newClamavHookCmd(a *app) *cobra.Command {
	var file, signature, apiURL, tokenFile, spool string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "clamav-hook [flags]",
		Short: "clamd VirusEvent hook: hand the ClamAV signature of a detection to the sidecar",
		Long: "Run by clamd for every detection (clamd.conf: VirusEvent /path/to/automaldesc --config\n" +
			"/etc/automaldesc/config.yaml clamav-hook). It reads CLAM_VIRUSEVENT_FILENAME and\n" +
			"CLAM_VIRUSEVENT_VIRUSNAME (or --file/--signature), hashes the file while it is still in\n" +
			"place (size + SHA-256; nothing is executed) and sends a hint to the sidecar's API\n" +
			"(POST /v1/hints). When the API cannot be reached it writes the hint into the spool\n" +
			"directory (\"hints\" next to store.path) that the sidecar reads. The sidecar matches\n" +
			"the hint with the file clamdscan --move puts into a watched folder, and the record\n" +
			"carries the signature. clamd waits for this command: it gives up on the API after\n" +
			"--timeout. clamd clears the environment, so give --config and --token-file.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := a.loadConfig(cmd.Flags(), nil)
			if err != nil {
				return err
			}
			if file == "" {
				file = os.Getenv(envVirusEventFile)
			}
			if signature == "" {
				signature = os.Getenv(envVirusEventName)
			}
			if signature == "" {
				return usageError("clamav-hook: no signature (%s unset and no --signature)", envVirusEventName)
			}
			h := hashHint(file, signature, int64(cfg.Limits.MaxFileSize), time.Now().UTC())
			if err := h.Validate(); err != nil {
				return &exitError{code: exitFailure, err: fmt.Errorf("clamav-hook: %s: %w", file, err)}
			}
			token, err := hookToken(cfg, tokenFile)
			if err != nil {
				return &exitError{code: exitFailure, err: err}
			}
			if apiURL == "" && cfg.API.Listen != "" && !strings.HasSuffix(cfg.API.Listen, ":0") {
				apiURL = cfg.API.Listen
			}
			var apiErr error
			if apiURL != "" {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				apiErr = postHint(ctx, apiURL, token, h)
				cancel()
				if apiErr == nil {
					fmt.Fprintf(a.stdout, "clamav-hook: %s: hint sent to %s\n", h.Signature, apiURL)
					return nil
				}
				var rej *hintRejected
				if errors.As(apiErr, &rej) {
					return &exitError{code: exitFailure, err: apiErr}
				}
			} else {
				apiErr = errors.New("no API address (api.listen off or port 0, no --api)")
			}
			if spool == "" {
				spool = sidecar.HintSpoolDir(cfg)
			}
			p, err := clamav.WriteSpool(spool, h)
			if err != nil {
				return &exitError{code: exitFailure, err: fmt.Errorf("clamav-hook: API: %v; spool: %w", apiErr, err)}
			}
			fmt.Fprintf(a.stderr, "clamav-hook: API unavailable (%v); hint spooled to %s\n", apiErr, p)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&file, "file", "", "detected file (default $"+envVirusEventFile+")")
	fl.StringVar(&signature, "signature", "", "ClamAV signature name (default $"+envVirusEventName+")")
	fl.StringVar(&apiURL, "api", "", "sidecar API base URL or host:port (default api.listen)")
	fl.StringVar(&tokenFile, "token-file", "", "file holding the API bearer token (default: the variable named by api.token_env)")
	fl.StringVar(&spool, "spool", "", "hint spool directory used when the API is unreachable (default \"hints\" next to store.path)")
	fl.DurationVar(&timeout, "timeout", 2*time.Second, "give up on the API after this long and spool the hint")
	return cmd
}

// hashHint builds the hint for a detection: the file's size and SHA-256
// when it is a regular file no larger than maxSize (only its size when
// larger); path and signature alone when it is gone or not a regular file
// (clamdscan --stream names "instream(local)").
func hashHint(path, signature string, maxSize int64, now time.Time) clamav.Hint {
	h := clamav.Hint{Path: path, Signature: signature, Time: now}
	if !strings.HasPrefix(path, "/") {
		return h
	}
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return h
	}
	h.Size = fi.Size()
	if fi.Size() > maxSize {
		return h
	}
	f, err := os.Open(path)
	if err != nil {
		return h
	}
	defer f.Close()
	d := sha256.New()
	n, err := io.Copy(d, io.LimitReader(f, maxSize+1))
	if err != nil || n != fi.Size() {
		return h // changed while read: size alone is still a key
	}
	h.SHA256 = hex.EncodeToString(d.Sum(nil))
	return h
}

func hookToken(cfg config.Config, tokenFile string) (string, error) {
	if tokenFile != "" {
		b, err := os.ReadFile(tokenFile)
		if err != nil {
			return "", fmt.Errorf("clamav-hook: token file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if cfg.API.TokenEnv != "" {
		return os.Getenv(cfg.API.TokenEnv), nil
	}
	return "", nil
}

// hintRejected is the API refusing the hint itself (retrying through the
// spool would not help).
type hintRejected struct {
	status int
	msg    string
}

func (e *hintRejected) Error() string {
	return fmt.Sprintf("clamav-hook: the sidecar refused the hint (%d): %s", e.status, e.msg)
}

func postHint(ctx context.Context, base, token string, h clamav.Hint) error {
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/v1/hints", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	switch {
	case resp.StatusCode == http.StatusAccepted:
		return nil
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusRequestEntityTooLarge ||
		resp.StatusCode == http.StatusUnprocessableEntity:
		return &hintRejected{status: resp.StatusCode, msg: strings.TrimSpace(string(msg))}
	}
	return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(msg)))
}
