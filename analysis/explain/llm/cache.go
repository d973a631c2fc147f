package llm

import (
	"container/list"
	"context"
	"sync"
)

// Cache stores validated LLM answers by key. Implementations must be safe
// for concurrent use; a miss or a failing backend is reported as a miss
// (the answer is then asked for again), never as an error.
type Cache interface {
	Get(ctx context.Context, key string) ([]byte, bool)
	Put(ctx context.Context, key string, value []byte)
}

// CacheKey is the key of an answer: the sample, the model and the prompt
// version, plus the kind of answer ("explain", "notes").
func CacheKey(sha256, model, kind string) string {
	return sha256 + "\x00" + model + "\x00" + PromptVersion + "\x00" + kind
}

// NoCache is a Cache that holds nothing.
type NoCache struct{}

// Get always misses.
func (NoCache) Get(context.Context, string) ([]byte, bool) { return nil, false }

// Put drops the value.
func (NoCache) Put(context.Context, string, []byte) {}

// LRU is an in-memory Cache bounded by entries and bytes; the least
// recently used entries leave first. It is safe for concurrent use.
type LRU struct {
	mu         sync.Mutex
	maxEntries int
	maxBytes   int
	bytes      int
	ll         *list.List // of *lruEntry, most recent at the front
	items      map[string]*list.Element
}

type lruEntry struct {
	key   string
	value []byte
}

var (
	_ Cache = (*LRU)(nil)
	_ Cache = NoCache{}
)

// NewLRU returns a cache of at most maxEntries entries and maxBytes bytes
// of keys and values (maxBytes <= 0: 64 KiB per entry).
func NewLRU(maxEntries, maxBytes int) *LRU {
	maxEntries = max(1, maxEntries)
	if maxBytes <= 0 {
		maxBytes = maxEntries * 64 << 10
	}
	return &LRU{maxEntries: maxEntries, maxBytes: maxBytes, ll: list.New(), items: map[string]*list.Element{}}
}

// Get returns a copy of the value stored under key.
func (c *LRU) Get(_ context.Context, key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return append([]byte(nil), el.Value.(*lruEntry).value...), true
}

// Put stores a copy of value under key. A value larger than the byte
// bound is not stored.
func (c *LRU) Put(_ context.Context, key string, value []byte) {
	size := len(key) + len(value)
	if size > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		e := el.Value.(*lruEntry)
		c.bytes += len(value) - len(e.value)
		e.value = append([]byte(nil), value...)
		c.ll.MoveToFront(el)
	} else {
		c.items[key] = c.ll.PushFront(&lruEntry{key: key, value: append([]byte(nil), value...)})
		c.bytes += size
	}
	for c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes {
		el := c.ll.Back()
		e := el.Value.(*lruEntry)
		c.ll.Remove(el)
		delete(c.items, e.key)
		c.bytes -= len(e.key) + len(e.value)
	}
}

// Len returns the number of entries.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
