package race

// Stride is the step Sample takes through a corpus under the race detector.
const Stride = 8

// Sample reports whether item i of a corpus sweep runs: every item without
// the race detector, every Stride-th with it.
func Sample(i int) bool { return !Enabled || i%Stride == 0 }
