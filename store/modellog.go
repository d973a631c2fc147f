package store

import "time"

// Model event actions recorded in the registry's log.
const (
	ActionPromote  = "promote"
	ActionRollback = "rollback"
)

// The registry's state is derived from its append-only event log, the same
// way by every backend: these functions replay it.

// CurrentModel is the version in force after the log (the last event's).
func CurrentModel(evs []ModelEvent) string {
	if len(evs) == 0 {
		return ""
	}
	return evs[len(evs)-1].Version
}

// PromotionStack replays the log: promotions push, rollbacks pop. Rollback
// returns to the version below the top.
func PromotionStack(evs []ModelEvent) []string {
	var st []string
	for _, e := range evs {
		switch e.Action {
		case ActionPromote:
			st = append(st, e.Version)
		case ActionRollback:
			if len(st) > 0 {
				st = st[:len(st)-1]
			}
		}
	}
	return st
}

// ApplyModelStates fills State, PromotedBy and PromotedAt of ms from the log.
func ApplyModelStates(evs []ModelEvent, ms []*ModelEntry) {
	state := map[string]string{}
	type prom struct {
		by string
		at time.Time
	}
	last := map[string]prom{}
	for _, e := range evs {
		switch e.Action {
		case ActionPromote:
			if e.From != "" {
				state[e.From] = ModelRetired
			}
			state[e.Version] = ModelPromoted
			last[e.Version] = prom{e.By, e.At}
		case ActionRollback:
			state[e.From] = ModelRolledBack
			if e.Version != "" {
				state[e.Version] = ModelPromoted
			}
		}
	}
	for _, m := range ms {
		m.State = state[m.Version]
		if m.State == "" {
			m.State = ModelCandidate
		}
		p := last[m.Version]
		m.PromotedBy, m.PromotedAt = p.by, p.at
	}
}
