package ioc

import (
	"slices"
	"strings"
)

// Type names the kind of an IOC. The values are part of the report schema.
type Type string

// The IOC types.
const (
	URL         Type = "url"
	Domain      Type = "domain"
	IPv4        Type = "ipv4"
	IPv6        Type = "ipv6"
	Email       Type = "email"
	FilePath    Type = "file_path"
	RegistryKey Type = "registry_key"
	MD5         Type = "md5"
	SHA1        Type = "sha1"
	SHA256      Type = "sha256"
)

// Types returns every IOC type in a stable order.
func Types() []Type {
	return []Type{URL, Domain, IPv4, IPv6, Email, FilePath, RegistryKey, MD5, SHA1, SHA256}
}

// Valid reports whether t is one of the IOC types.
func (t Type) Valid() bool { return typeIndex(t) >= 0 }

func typeIndex(t Type) int {
	switch t {
	case URL:
		return 0
	case Domain:
		return 1
	case IPv4:
		return 2
	case IPv6:
		return 3
	case Email:
		return 4
	case FilePath:
		return 5
	case RegistryKey:
		return 6
	case MD5:
		return 7
	case SHA1:
		return 8
	case SHA256:
		return 9
	}
	return -1
}

const numTypes = 10

// Limits that keep extraction bounded on hostile input.
const (
	// MaxPerLayer caps the IOCs Extract returns for one layer; the ones
	// that appear first are kept.
	MaxPerLayer = 500
	// MaxValueLen caps the length of a Value in bytes. URLs, paths and
	// registry keys that are longer are dropped rather than truncated (a
	// truncated value would be a wrong indicator); the host of a dropped
	// URL is still reported.
	MaxValueLen = 2048
)

// IOC is one indicator of compromise found in a decoded layer.
type IOC struct {
	Type     Type   `json:"type"`
	Value    string `json:"value"`    // raw, refanged, canonical value for machines
	Defanged string `json:"defanged"` // hxxp://, [.] form for humans
	Layer    int    `json:"layer"`    // decoded layer where first seen
	Offset   int    `json:"offset"`   // byte offset in that layer's text
}

// Extract returns the IOCs found in text, the text of decoded layer layer.
// The result is deduplicated by (Type, Value), ordered by first appearance
// and holds at most MaxPerLayer entries. Defanged input is matched as if it
// were raw; Offset always points into text as given. Extract returns nil
// when it finds nothing and runs in time linear in len(text).
func Extract(text string, layer int) []IOC {
	sc := newScanner(text, false)
	sc.scan()
	if len(sc.found) == 0 {
		return nil
	}
	found := sc.found
	// Scanners run one kind at a time; order by position, breaking ties by
	// the order of discovery (a URL before the host inside it).
	slices.SortStableFunc(found, func(a, b occ) int { return a.rs - b.rs })
	if len(found) > MaxPerLayer {
		found = found[:MaxPerLayer]
	}
	out := make([]IOC, len(found))
	for i, o := range found {
		out[i] = IOC{
			Type:     o.typ,
			Value:    o.value,
			Defanged: defangValue(o.typ, o.value),
			Layer:    layer,
			Offset:   sc.pm.start(o.rs),
		}
	}
	return out
}

// Merge joins the IOC sets of several layers. Duplicates by (Type, Value)
// collapse into the entry from the lowest layer (the first one given when
// layers tie). The result is ordered by layer, then by the order within the
// input, so passing per-layer Extract results in layer order keeps
// first-appearance order. The result is never nil, so that a report
// marshals an empty set as [] rather than null.
func Merge(sets ...[]IOC) []IOC {
	n := 0
	ordered, last := true, 0
	for _, s := range sets {
		n += len(s)
		for i := range s {
			ordered = ordered && s[i].Layer >= last
			last = s[i].Layer
		}
	}
	if n == 0 {
		return []IOC{}
	}
	if ordered {
		return mergeOrdered(sets, n)
	}
	type entry struct {
		ioc IOC
		seq int
	}
	idx := make(map[iocKey]int, n)
	out := make([]entry, 0, n)
	seq := 0
	for _, s := range sets {
		for _, c := range s {
			k := iocKey{c.Type, c.Value}
			if i, ok := idx[k]; ok {
				if c.Layer < out[i].ioc.Layer {
					out[i] = entry{c, seq}
				}
			} else {
				idx[k] = len(out)
				out = append(out, entry{c, seq})
			}
			seq++
		}
	}
	slices.SortStableFunc(out, func(a, b entry) int {
		if a.ioc.Layer != b.ioc.Layer {
			return a.ioc.Layer - b.ioc.Layer
		}
		return a.seq - b.seq
	})
	res := make([]IOC, len(out))
	for i, e := range out {
		res[i] = e.ioc
	}
	return res
}

type iocKey struct {
	t Type
	v string
}

// mergeOrdered is Merge of n IOCs whose layers never decrease in the order
// given, as the engine passes them (one Extract result per layer, in layer
// order). Then no duplicate comes from a lower layer than the first of its
// key, so the first one stays, and the first ones are already ordered by
// layer and by position in the input: Merge's result is the input without
// its repeats, found here without entries to sort and, for the few IOCs of
// most samples, without a map.
func mergeOrdered(sets [][]IOC, n int) []IOC {
	res := make([]IOC, 0, n)
	var idx map[iocKey]struct{}
	if n > linearLookup {
		idx = make(map[iocKey]struct{}, n)
	}
	for _, s := range sets {
	next:
		for _, c := range s {
			if idx == nil {
				for i := range res {
					if res[i].Type == c.Type && res[i].Value == c.Value {
						continue next
					}
				}
			} else {
				k := iocKey{c.Type, c.Value}
				if _, ok := idx[k]; ok {
					continue
				}
				idx[k] = struct{}{}
			}
			res = append(res, c)
		}
	}
	return res
}

// defangValue renders a canonical value for humans. Refang(defangValue(t,
// v)) == v for every value Extract produces.
func defangValue(t Type, v string) string {
	switch t {
	case URL:
		return defangURL(v)
	case Domain, IPv4:
		return defangDots(v)
	case IPv6:
		return defangDots(strings.ReplaceAll(v, ":", "[:]"))
	case Email:
		at := strings.LastIndexByte(v, '@')
		if at < 0 {
			return v
		}
		return v[:at] + "[@]" + defangDots(v[at+1:])
	case FilePath:
		if strings.HasPrefix(v, `\\`) {
			end := len(v)
			if i := strings.IndexByte(v[2:], '\\'); i >= 0 {
				end = 2 + i
			}
			host := v[2:end]
			if at := strings.IndexByte(host, '@'); at >= 0 {
				host = host[:at]
			}
			if host == "." || host == "?" {
				return v // device path: \\.\pipe\x
			}
			return `\\` + defangDots(host) + v[2+len(host):]
		}
	}
	return v
}

// defangURL rewrites the scheme (http -> hxxp, ftp -> fxp) and the dots of
// the host of a canonical URL.
func defangURL(v string) string {
	sep := strings.Index(v, "://")
	if sep < 0 {
		return v
	}
	scheme := defangScheme(v[:sep])
	rest := v[sep+3:]
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	hs := strings.LastIndexByte(rest[:authEnd], '@') + 1
	he := authEnd
	if hs < authEnd && rest[hs] == '[' {
		he = hs // bracketed IPv6 host: nothing to defang in dots
	} else if c := strings.IndexByte(rest[hs:authEnd], ':'); c >= 0 {
		he = hs + c
	}
	// One allocation for the whole value.
	var b strings.Builder
	b.Grow(len(v) + 2*strings.Count(rest[hs:he], ".") + 2)
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(rest[:hs])
	writeDefangDots(&b, rest[hs:he])
	b.WriteString(rest[he:])
	return b.String()
}

// defangDots writes the dots between two name characters as "[.]", the
// only place where Refang turns "[.]" back into a dot.
func defangDots(s string) string {
	if strings.IndexByte(s, '.') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	writeDefangDots(&b, s)
	return b.String()
}

// writeDefangDots writes defangDots(s) to b.
func writeDefangDots(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' && i > 0 && isNameEnd(s[i-1]) && i+1 < len(s) && isAlnum(s[i+1]) {
			b.WriteString("[.]")
			continue
		}
		b.WriteByte(s[i])
	}
}

func defangScheme(s string) string {
	switch s {
	case "http":
		return "hxxp"
	case "https":
		return "hxxps"
	case "ftp":
		return "fxp"
	case "ftps":
		return "fxps"
	}
	return s
}
