package metrics

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Multiclass is a multi-class confusion table, truth -> predicted -> count,
// for example for language identification with K = lang.Language. The zero
// value is ready to use; it is not safe for concurrent Add.
type Multiclass[K cmp.Ordered] struct {
	counts map[K]map[K]int
	total  int
}

// Add counts one (truth, predicted) outcome.
func (m *Multiclass[K]) Add(truth, pred K) { m.AddN(truth, pred, 1) }

// AddN counts n identical outcomes (n <= 0 is ignored).
func (m *Multiclass[K]) AddN(truth, pred K, n int) {
	if n <= 0 {
		return
	}
	if m.counts == nil {
		m.counts = map[K]map[K]int{}
	}
	row := m.counts[truth]
	if row == nil {
		row = map[K]int{}
		m.counts[truth] = row
	}
	row[pred] += n
	m.total += n
}

// Count returns how many samples of class truth were predicted as pred.
func (m *Multiclass[K]) Count(truth, pred K) int { return m.counts[truth][pred] }

// Counts returns a copy of the table, truth -> predicted -> count.
func (m *Multiclass[K]) Counts() map[K]map[K]int {
	out := make(map[K]map[K]int, len(m.counts))
	for t, row := range m.counts {
		out[t] = maps.Clone(row)
	}
	return out
}

// Total returns the number of outcomes counted.
func (m *Multiclass[K]) Total() int { return m.total }

// Correct returns the number of outcomes on the diagonal.
func (m *Multiclass[K]) Correct() int {
	n := 0
	for t, row := range m.counts {
		n += row[t]
	}
	return n
}

// Accuracy is the share of outcomes on the diagonal; 0 when empty.
func (m *Multiclass[K]) Accuracy() float64 { return ratio(m.Correct(), m.total) }

// Classes returns every class seen as truth or prediction, sorted.
func (m *Multiclass[K]) Classes() []K {
	set := map[K]struct{}{}
	for t, row := range m.counts {
		set[t] = struct{}{}
		for p := range row {
			set[p] = struct{}{}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// ClassStats are the one-vs-rest figures of one class.
type ClassStats[K cmp.Ordered] struct {
	Class K
	// Support is the number of samples whose truth is Class; Predicted the
	// number predicted as Class; Correct those both.
	Support, Predicted, Correct int
	// Precision is Correct/Predicted, Recall Correct/Support, F1 their
	// harmonic mean; each 0 on an empty denominator.
	Precision, Recall, F1 float64
}

// PerClass returns the statistics of every class, in Classes order.
func (m *Multiclass[K]) PerClass() []ClassStats[K] {
	classes := m.Classes()
	predicted := map[K]int{}
	for _, row := range m.counts {
		for p, n := range row {
			predicted[p] += n
		}
	}
	out := make([]ClassStats[K], len(classes))
	for i, k := range classes {
		s := ClassStats[K]{Class: k, Predicted: predicted[k], Correct: m.counts[k][k]}
		for _, n := range m.counts[k] {
			s.Support += n
		}
		s.Precision = ratio(s.Correct, s.Predicted)
		s.Recall = ratio(s.Correct, s.Support)
		s.F1 = ratio(2*s.Correct, s.Support+s.Predicted)
		out[i] = s
	}
	return out
}

// MacroF1 is the unweighted mean F1 over classes with support > 0; 0 when
// there are none.
func (m *Multiclass[K]) MacroF1() float64 {
	var sum float64
	n := 0
	for _, s := range m.PerClass() {
		if s.Support > 0 {
			sum += s.F1
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// WriteMarkdown writes the per-class table (support, precision, recall, F1)
// followed by the confusion matrix (rows truth, columns predicted) as
// Markdown. Class names come from fmt.Sprint, so a type with a String method
// prints its names; "|" in names is escaped.
func (m *Multiclass[K]) WriteMarkdown(w io.Writer) error {
	name := func(k K) string { return strings.ReplaceAll(fmt.Sprint(k), "|", `\|`) }
	var b strings.Builder
	b.WriteString("| class | support | predicted | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|\n")
	for _, s := range m.PerClass() {
		fmt.Fprintf(&b, "| %s | %d | %d | %.4f | %.4f | %.4f |\n", name(s.Class), s.Support, s.Predicted, s.Precision, s.Recall, s.F1)
	}
	fmt.Fprintf(&b, "| **all** | %d | %d | accuracy %.4f | | macro-F1 %.4f |\n\n", m.total, m.total, m.Accuracy(), m.MacroF1())
	classes := m.Classes()
	b.WriteString("| truth \\ predicted |")
	for _, k := range classes {
		b.WriteString(" " + name(k) + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(classes)) + "\n")
	for _, t := range classes {
		b.WriteString("| " + name(t) + " |")
		for _, p := range classes {
			fmt.Fprintf(&b, " %d |", m.counts[t][p])
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
