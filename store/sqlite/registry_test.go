package sqlite

import (
	"testing"

	"github.com/automaldesc/automaldesc/store"
	"github.com/automaldesc/automaldesc/store/storetest"
)

func TestRegistryConformance(t *testing.T) {
	storetest.RunRegistry(t, func(t *testing.T) store.ModelRegistry { return openTemp(t) })
}
