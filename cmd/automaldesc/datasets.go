package main

import (
	"fmt"

	"github.com/automaldesc/automaldesc/learning/dataset"
	"github.com/automaldesc/automaldesc/seeds"
)

// loadDatasets reads every --dataset value: "seeds" names the embedded seed
// set; anything else is a path dataset.Load understands.
func loadDatasets(paths []string) ([]dataset.Item, error) {
	var all []dataset.Item
	for _, p := range paths {
		var (
			items []dataset.Item
			err   error
		)
		if p == "seeds" {
			items, err = dataset.FromFS(seeds.FS(), "seeds")
		} else {
			items, err = dataset.Load(p)
		}
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, fmt.Errorf("dataset %s: no samples", p)
		}
		all = append(all, items...)
	}
	return all, nil
}
