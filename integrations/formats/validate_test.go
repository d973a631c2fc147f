package formats

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/attack"
	"github.com/automaldesc/automaldesc/analysis/ioc"
)

func analysisIOC(typ, value string) ioc.IOC {
	return ioc.IOC{Type: ioc.Type(typ), Value: value, Defanged: ioc.Defang(value)}
}

// validate checks a rendered document against the rules of its format,
// reading it back as generic JSON (so field names are checked too).
func validate(t *testing.T, format string, doc []byte, r *analysis.Report) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatalf("%s: not a JSON object: %v", format, err)
	}
	var errs []string
	switch format {
	case "ecs":
		errs = validateECS(m, r)
	case "ocsf":
		errs = validateOCSF(m, r)
	case "stix":
		errs = validateSTIX(m, r)
	case "misp":
		errs = validateMISP(m, r)
	default:
		t.Fatalf("no validator for %s", format)
	}
	for _, e := range errs {
		t.Errorf("%s: %s", format, e)
	}
}

// --- generic JSON access ---

func get(m any, path string) any {
	for _, k := range strings.Split(path, ".") {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[k]
	}
	return m
}

func str(m any, path string) string { s, _ := get(m, path).(string); return s }

func num(m any, path string) (float64, bool) { f, ok := get(m, path).(float64); return f, ok }

func list(m any, path string) []any { l, _ := get(m, path).([]any); return l }

func isUUID(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.Variant() == uuid.RFC4122 && u.Version() >= 1 && u.Version() <= 5
}

// networkValues are the IOC values the documents must carry (and the only
// ones indicators may match).
func networkValues(r *analysis.Report) map[string]ioc.Type {
	out := map[string]ioc.Type{}
	iocs, _ := networkIOCs(r)
	for _, c := range iocs {
		out[c.Value] = c.Type
	}
	return out
}

// --- ECS ---

func validateECS(m map[string]any, r *analysis.Report) []string {
	var errs []string
	if str(m, "event.id") != r.ID {
		errs = append(errs, fmt.Sprintf("event.id: got %q, want %q", str(m, "event.id"), r.ID))
	}
	if str(m, "event.kind") != "alert" {
		errs = append(errs, "event.kind: want alert")
	}
	if _, err := time.Parse(time.RFC3339Nano, str(m, "@timestamp")); err != nil {
		errs = append(errs, "@timestamp: "+err.Error())
	}
	return errs
}

// --- OCSF 1.1.0 Detection Finding ---

// ocsfEvidenceAttrs are the attributes of the 1.1.0 evidences object; at
// least one must be set.
var ocsfEvidenceAttrs = []string{"actor", "api", "connection_info", "data", "device", "dst_endpoint", "file", "process", "query", "src_endpoint"}

var tacticUID = regexp.MustCompile(`^TA\d{4}$`)

func validateOCSF(m map[string]any, r *analysis.Report) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	for path, want := range map[string]float64{"class_uid": 2004, "category_uid": 2, "activity_id": 1, "type_uid": 200401} {
		if got, ok := num(m, path); !ok || got != want {
			bad("%s: got %v, want %v", path, get(m, path), want)
		}
	}
	if tm, ok := num(m, "time"); !ok || tm < 0 || tm != float64(int64(tm)) {
		bad("time: got %v, want a non-negative integer of ms", get(m, "time"))
	} else if want := when(r).UnixMilli(); int64(tm) != want {
		bad("time: got %d, want %d (AnalyzedAt in ms)", int64(tm), want)
	}
	if s, ok := num(m, "severity_id"); !ok || !(s >= 0 && s <= 6 || s == 99) {
		bad("severity_id: got %v, want 0..6 or 99", get(m, "severity_id"))
	}
	for _, p := range []string{"metadata.product.name", "metadata.product.vendor_name", "finding_info.uid", "finding_info.title", "metadata.uid"} {
		if str(m, p) == "" {
			bad("%s: required, missing", p)
		}
	}
	if v := str(m, "metadata.version"); v != "1.1.0" {
		bad("metadata.version: got %q, want 1.1.0", v)
	}
	if id, ok := num(m, "finding_info.analytic.type_id"); !ok || !(id >= 0 && id <= 4 || id == 99) {
		bad("finding_info.analytic.type_id: got %v", get(m, "finding_info.analytic.type_id"))
	}
	if !isUUID(str(m, "metadata.uid")) {
		bad("metadata.uid %q is not a UUID", str(m, "metadata.uid"))
	}
	for i, e := range list(m, "evidences") {
		em, _ := e.(map[string]any)
		n := 0
		for k := range em {
			if !slices.Contains(ocsfEvidenceAttrs, k) {
				bad("evidences[%d]: attribute %q is not in OCSF 1.1.0", i, k)
			}
			n++
		}
		if n == 0 {
			bad("evidences[%d]: none of %v set", i, ocsfEvidenceAttrs)
		}
		if f, ok := em["file"]; ok {
			if str(f, "name") == "" {
				bad("evidences[%d].file.name: required", i)
			}
			if _, ok := num(f, "type_id"); !ok {
				bad("evidences[%d].file.type_id: required", i)
			}
			for j, h := range list(f, "hashes") {
				if _, ok := num(h, "algorithm_id"); !ok || str(h, "value") == "" {
					bad("evidences[%d].file.hashes[%d]: algorithm_id and value required", i, j)
				}
			}
		}
	}
	obs := map[string]bool{}
	for i, o := range list(m, "observables") {
		if _, ok := num(o, "type_id"); !ok || str(o, "name") == "" || str(o, "value") == "" {
			bad("observables[%d]: name, type_id and value required: %v", i, o)
		}
		obs[str(o, "value")] = true
	}
	for v := range networkValues(r) {
		if !obs[v] {
			bad("IOC %q is not an observable", v)
		}
	}
	if len(list(m, "attacks")) != len(r.Techniques) {
		bad("attacks: got %d, want %d (one per technique)", len(list(m, "attacks")), len(r.Techniques))
	}
	for i, a := range list(m, "attacks") {
		if id := str(a, "technique.uid"); !attack.Valid(id) {
			bad("attacks[%d].technique.uid %q is not an active ATT&CK technique", i, id)
		}
		if str(a, "version") == "" {
			bad("attacks[%d].version: required in 1.1.0", i)
		}
		for j, ta := range list(a, "tactics") {
			if !tacticUID.MatchString(str(ta, "uid")) || str(ta, "name") == "" {
				bad("attacks[%d].tactics[%d]: got %v, want uid TAnnnn and a name", i, j, ta)
			}
		}
	}
	return errs
}

// --- STIX 2.1 ---

var (
	stixType     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	stixTime     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$`)
	stixPattern  = regexp.MustCompile(`^\[(url|domain-name|ipv4-addr|ipv6-addr|email-addr):value = '((?:[^'\\]|\\['\\])*)'\]$`)
	scoTypes     = map[string]bool{"file": true, "url": true, "domain-name": true, "ipv4-addr": true, "ipv6-addr": true, "email-addr": true}
	stixHashKeys = map[string]bool{"MD5": true, "SHA-1": true, "SHA-256": true, "SHA-512": true, "SHA3-256": true, "SHA3-512": true, "SSDEEP": true, "TLSH": true}
	// relationship types the spec defines for (source type, target type),
	// beyond related-to, derived-from and duplicate-of, which hold for all.
	stixRelations = map[string]bool{
		"indicator based-on observed-data":       true,
		"indicator indicates attack-pattern":     true,
		"indicator indicates malware":            true,
		"malware-analysis characterizes malware": true,
	}
)

func validateSTIX(m map[string]any, r *analysis.Report) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	if str(m, "type") != "bundle" {
		bad("bundle type: got %q", str(m, "type"))
	}
	if id := str(m, "id"); !strings.HasPrefix(id, "bundle--") || !isUUID(strings.TrimPrefix(id, "bundle--")) {
		bad("bundle id %q", id)
	}
	if _, ok := m["spec_version"]; ok {
		bad("a 2.1 bundle has no spec_version")
	}
	objs := list(m, "objects")
	byID := map[string]map[string]any{}
	for i, o := range objs {
		om, _ := o.(map[string]any)
		typ, id := str(om, "type"), str(om, "id")
		if !stixType.MatchString(typ) || len(typ) < 3 || len(typ) > 250 {
			bad("objects[%d]: type %q", i, typ)
		}
		if !strings.HasPrefix(id, typ+"--") || !isUUID(strings.TrimPrefix(id, typ+"--")) {
			bad("objects[%d]: id %q is not %s--<uuid>", i, id, typ)
		}
		if byID[id] != nil {
			bad("objects[%d]: duplicate id %s", i, id)
		}
		byID[id] = om
		if str(om, "spec_version") != "2.1" {
			bad("%s: spec_version %q, want 2.1", id, str(om, "spec_version"))
		}
		if scoTypes[typ] {
			continue
		}
		c, mo := str(om, "created"), str(om, "modified")
		if !stixTime.MatchString(c) || !stixTime.MatchString(mo) || mo < c {
			bad("%s: created %q / modified %q: want RFC 3339 UTC timestamps, modified >= created", id, c, mo)
		}
	}
	// References resolve; per-type required properties.
	indicators := 0
	for id, om := range byID {
		for k, v := range om {
			switch {
			case strings.HasSuffix(k, "_ref"):
				if byID[v.(string)] == nil {
					bad("%s.%s: %v does not resolve", id, k, v)
				}
			case strings.HasSuffix(k, "_refs"):
				for _, ref := range v.([]any) {
					if byID[ref.(string)] == nil {
						bad("%s.%s: %v does not resolve", id, k, ref)
					}
				}
			}
		}
		if ref := str(om, "created_by_ref"); ref != "" && str(byID[ref], "type") != "identity" {
			bad("%s: created_by_ref %s is not an identity", id, ref)
		}
		switch typ := str(om, "type"); typ {
		case "identity":
			if str(om, "name") == "" || str(om, "identity_class") == "" {
				bad("%s: name and identity_class required", id)
			}
		case "file":
			for k := range get(om, "hashes").(map[string]any) {
				if !stixHashKeys[k] {
					bad("%s: hash key %q not in the hash-algorithm vocabulary", id, k)
				}
			}
		case "url", "domain-name", "ipv4-addr", "ipv6-addr", "email-addr":
			v := str(om, "value")
			want := typ + "--" + uuid.NewSHA1(stixSCONamespace, canonicalValue(v)).String()
			if id != want {
				bad("%s: deterministic id for value %q should be %s", id, v, want)
			}
		case "observed-data":
			if n, _ := num(om, "number_observed"); n < 1 || len(list(om, "object_refs")) == 0 || str(om, "first_observed") == "" {
				bad("%s: first_observed, number_observed >= 1 and object_refs required", id)
			}
		case "malware-analysis":
			if str(om, "product") == "" {
				bad("%s: product required", id)
			}
			if !slices.Contains([]string{"malicious", "suspicious", "benign", "unknown"}, str(om, "result")) {
				bad("%s: result %q not in the malware-result vocabulary", id, str(om, "result"))
			}
			for _, ref := range list(om, "analysis_sco_refs") {
				if !scoTypes[strings.SplitN(ref.(string), "--", 2)[0]] {
					bad("%s: analysis_sco_refs holds a non-SCO %v", id, ref)
				}
			}
		case "note":
			if str(om, "content") == "" || len(list(om, "object_refs")) == 0 {
				bad("%s: content and object_refs required", id)
			}
		case "indicator":
			indicators++
			if str(om, "pattern_type") != "stix" || str(om, "valid_from") == "" {
				bad("%s: pattern_type stix and valid_from required", id)
			}
			p := str(om, "pattern")
			sm := stixPattern.FindStringSubmatch(p)
			if sm == nil {
				bad("%s: pattern %q is not a valid [type:value = '...'] comparison", id, p)
				continue
			}
			v := strings.NewReplacer(`\\`, `\`, `\'`, `'`).Replace(sm[2])
			if ty, ok := networkValues(r)[v]; !ok || stixSCOTypes[ty] != sm[1] {
				bad("%s: pattern %q matches no %s IOC of the report", id, p, sm[1])
			}
		case "attack-pattern":
			ok := false
			for _, ref := range list(om, "external_references") {
				if str(ref, "source_name") == "mitre-attack" && attack.Valid(str(ref, "external_id")) {
					ok = true
				}
			}
			if !ok || str(om, "name") == "" {
				bad("%s: want a name and a mitre-attack external reference with a valid id", id)
			}
			for _, k := range list(om, "kill_chain_phases") {
				if _, found := attack.TacticByShortName(str(k, "phase_name")); !found || str(k, "kill_chain_name") != "mitre-attack" {
					bad("%s: kill chain phase %v", id, k)
				}
			}
		case "relationship":
			rt, src, dst := str(om, "relationship_type"), str(om, "source_ref"), str(om, "target_ref")
			st, dt := strings.SplitN(src, "--", 2)[0], strings.SplitN(dst, "--", 2)[0]
			if rt != "related-to" && rt != "derived-from" && rt != "duplicate-of" && !stixRelations[st+" "+rt+" "+dt] {
				bad("%s: %s %s %s is not a relationship the spec defines", id, st, rt, dt)
			}
		}
	}
	if want := 0; r.Malicious() && r.Status == analysis.StatusOK {
		want = len(networkValues(r))
		if indicators != want {
			bad("got %d indicators, want %d (one per network IOC)", indicators, want)
		}
	} else if indicators != 0 {
		bad("got %d indicators for a report that is not a detection, want 0", indicators)
	}
	return errs
}

// canonicalValue is an independent JCS rendering of {"value": v} for the
// test: encoding/json without HTML escaping equals JCS for text without
// U+2028/U+2029.
func canonicalValue(v string) []byte {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(map[string]string{"value": v})
	return []byte(strings.TrimSuffix(sb.String(), "\n"))
}

// --- MISP ---

var (
	mispCategories = map[string][]string{
		"url":       {"Payload delivery", "Network activity", "External analysis"},
		"domain":    {"Network activity", "External analysis"},
		"ip-dst":    {"Network activity", "External analysis"},
		"email-dst": {"Network activity", "Payload delivery"},
		"md5":       {"Payload delivery", "Artifacts dropped", "Payload installation", "External analysis"},
		"sha1":      {"Payload delivery", "Artifacts dropped", "Payload installation", "External analysis"},
		"sha256":    {"Payload delivery", "Artifacts dropped", "Payload installation", "External analysis"},
		"filename":  {"Payload delivery", "Artifacts dropped", "Payload installation", "Persistence mechanism", "External analysis"},
		"regkey":    {"Persistence mechanism", "Artifacts dropped"},
		"text":      {"Other", "External analysis"},
	}
	mispDate      = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	mispGalaxyTag = regexp.MustCompile(`^misp-galaxy:mitre-attack-pattern="[^"]+ - (T\d{4}(?:\.\d{3})?)"$`)
)

func validateMISP(m map[string]any, r *analysis.Report) []string {
	var errs []string
	bad := func(f string, a ...any) { errs = append(errs, fmt.Sprintf(f, a...)) }
	e := get(m, "Event")
	if e == nil {
		return []string{"no Event"}
	}
	if !isUUID(str(e, "uuid")) || str(e, "info") == "" || !mispDate.MatchString(str(e, "date")) {
		bad("Event: uuid, info and date required: %q %q %q", str(e, "uuid"), str(e, "info"), str(e, "date"))
	}
	in := func(v string, set ...string) bool { return slices.Contains(set, v) }
	if !in(str(e, "threat_level_id"), "1", "2", "3", "4") || !in(str(e, "analysis"), "0", "1", "2") || !in(str(e, "distribution"), "0", "1", "2", "3", "4", "5") {
		bad("Event enumerations: threat_level_id %q analysis %q distribution %q", str(e, "threat_level_id"), str(e, "analysis"), str(e, "distribution"))
	}
	values := map[string]bool{}
	uuids := map[string]bool{}
	for i, a := range list(e, "Attribute") {
		typ, cat := str(a, "type"), str(a, "category")
		if cats, ok := mispCategories[typ]; !ok || !slices.Contains(cats, cat) {
			bad("Attribute[%d]: type %q in category %q is not valid MISP", i, typ, cat)
		}
		if str(a, "value") == "" || !isUUID(str(a, "uuid")) || uuids[str(a, "uuid")] {
			bad("Attribute[%d]: value and a unique uuid required", i)
		}
		uuids[str(a, "uuid")] = true
		if _, ok := get(a, "to_ids").(bool); !ok {
			bad("Attribute[%d]: to_ids must be a boolean", i)
		}
		values[str(a, "value")] = true
	}
	for v := range networkValues(r) {
		if !values[v] {
			bad("IOC %q has no attribute", v)
		}
	}
	galaxy := 0
	for i, tg := range list(e, "Tag") {
		name := str(tg, "name")
		if strings.HasPrefix(name, "misp-galaxy:") {
			sm := mispGalaxyTag.FindStringSubmatch(name)
			if sm == nil || !attack.Valid(sm[1]) {
				bad("Tag[%d]: %q is not a valid ATT&CK galaxy tag", i, name)
			}
			galaxy++
		}
	}
	if galaxy != len(r.Techniques) {
		bad("got %d galaxy tags, want %d", galaxy, len(r.Techniques))
	}
	return errs
}
