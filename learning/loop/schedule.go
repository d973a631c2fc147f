package loop

import (
	"fmt"
	"math"
)

// Schedule is the self-paced confidence threshold: round t (from 1) keeps
// pseudo-labels whose confidence is at least max(Floor, Start-(t-1)*Step).
// It starts strict so that easy examples enter first and relaxes by Step
// each round.
type Schedule struct {
	Start float64 `json:"start"`
	Step  float64 `json:"step"`
	Floor float64 `json:"floor"`
}

// DefaultSchedule starts at 0.95 and relaxes by 0.05 a round down to 0.80.
func DefaultSchedule() Schedule { return Schedule{Start: 0.95, Step: 0.05, Floor: 0.80} }

// Validate checks 0.5 <= Floor <= Start <= 1 and Step >= 0.
func (s Schedule) Validate() error {
	for _, v := range []float64{s.Start, s.Step, s.Floor} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("schedule: non-finite value")
		}
	}
	if s.Start > 1 || s.Floor < 0.5 || s.Floor > s.Start {
		return fmt.Errorf("schedule: need 0.5 <= floor (%g) <= start (%g) <= 1", s.Floor, s.Start)
	}
	if s.Step < 0 {
		return fmt.Errorf("schedule: step %g is negative", s.Step)
	}
	return nil
}

// Threshold returns the confidence threshold of round t (t < 1 counts as 1).
func (s Schedule) Threshold(t int) float64 {
	t = max(t, 1)
	th := s.Start - float64(t-1)*s.Step
	// Round away float noise so that 0.95-0.05*3 is exactly 0.80.
	th = math.Round(th*1e9) / 1e9
	return max(th, s.Floor)
}
