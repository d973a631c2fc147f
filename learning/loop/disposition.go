package loop

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/store"
)

func sortStrings(s []string) { sort.Strings(s) }

// Disposition is the analyst's current word on a sample: the latest
// feedback about the whole sample (feedback about one indicator does not
// count). confirm means the record's verdict. It returns "" when there is
// none.
func Disposition(ctx context.Context, s store.Store, sha256 string) (string, error) {
	fbs, err := s.ListFeedback(ctx, "", sha256)
	if err != nil {
		return "", err
	}
	for i := len(fbs) - 1; i >= 0; i-- {
		if fbs[i].IndicatorID == "" {
			return fbs[i].Disposition, nil
		}
	}
	return "", nil
}

// FeedbackLabels returns the training label analyst feedback gives each
// sha256: the latest whole-sample feedback; malicious and benign count as
// such, confirm takes the binary label of the record it confirms (the
// newest record of the sample), suspicious gives no label.
func FeedbackLabels(ctx context.Context, s store.Store) (map[string]dataset.Label, error) {
	fbs, err := s.AllFeedback(ctx)
	if err != nil {
		return nil, fmt.Errorf("feedback: %w", err)
	}
	latest := map[string]store.Feedback{}
	for _, fb := range fbs { // oldest first: later entries win
		if fb.IndicatorID == "" && fb.SHA256 != "" {
			latest[fb.SHA256] = fb
		}
	}
	out := map[string]dataset.Label{}
	for sha, fb := range latest {
		switch fb.Disposition {
		case store.DispositionMalicious:
			out[sha] = dataset.Malicious
		case store.DispositionBenign:
			out[sha] = dataset.Benign
		case store.DispositionConfirm:
			rec, err := s.LatestBySHA256(ctx, sha)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("feedback %s: %w", sha, err)
			}
			switch rec.Label {
			case "malicious", "suspicious":
				out[sha] = dataset.Malicious
			case "benign":
				out[sha] = dataset.Benign
			}
		}
	}
	return out, nil
}
