package sidecar

import (
	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/sidecar/metrics"
)

// sidecarMetrics are the pool's metrics.
type sidecarMetrics struct {
	processed    *metrics.Counter
	errors       *metrics.Counter
	dedupes      *metrics.Counter
	stage        *metrics.Histogram
	dropToRecord *metrics.Histogram
}

func newSidecarMetrics(r *metrics.Registry) *sidecarMetrics {
	return &sidecarMetrics{
		processed: r.NewCounter("automaldesc_files_processed_total", "Records written for queued files, by status.", "status"),
		errors:    r.NewCounter("automaldesc_errors_total", "Errors by kind.", "kind"),
		dedupes:   r.NewCounter("automaldesc_dedupe_hits_total", "Records that reused an earlier analysis of the same content."),
		stage: r.NewHistogram("automaldesc_stage_duration_seconds", "Wall time per analysis stage (from report timings).",
			metrics.LatencyBuckets, "stage"),
		dropToRecord: r.NewHistogram("automaldesc_drop_to_record_seconds", "Time from a file's first sighting to its stored record.",
			metrics.LatencyBuckets),
	}
}

func (m *sidecarMetrics) observeTimings(t analysis.Timings) {
	for _, s := range []struct {
		name string
		ms   float64
	}{
		{"identify", t.IdentifyMS}, {"decode", t.DecodeMS}, {"yara", t.YARAMS}, {"indicators", t.IndicatorsMS},
		{"ioc", t.IOCMS}, {"verdict", t.VerdictMS}, {"explain", t.ExplainMS}, {"total", t.TotalMS},
	} {
		m.stage.Observe(s.ms/1000, s.name)
	}
}
