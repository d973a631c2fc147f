package llm

import (
	"errors"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// oracle compiles src with a complete JSON Schema implementation, the
// reference strictSchema must agree with.
func oracle(t testing.TB, src string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("s.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("s.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func oracleValid(sch *jsonschema.Schema, doc string) bool {
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	return err == nil && sch.Validate(v) == nil
}

// schemaCases are answers the validator must judge as the oracle does:
// valid ones, and one of each way a model (or a hostile server) gets an
// answer wrong.
var schemaCases = []string{
	`{"language":"powershell","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"benign","summary":"","behaviours":[{"text":"t","evidence":["ind:x","yara:y"]}],"iocs":["1.2.3.4"],"techniques":["T1059"]}`,
	`  {"language":"python","label":"unknown","summary":"s","behaviours":[],"iocs":[],"techniques":[]}  `,
	`{"language":"perl","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"MALICIOUS","summary":"s","behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[],"extra":1}`,
	`{"language":"bash","label":"malicious","summary":7,"behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":null,"behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":{},"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[{"text":"t"}],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[{"text":"t","evidence":[1]}],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[{"text":"t","evidence":[],"why":"x"}],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":["t"],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[null],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[true]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]} trailing`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]}{}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]`,
	`{"language":"bash","label":"malicious","summary":"s\u0000","behaviours":[],"iocs":[],"techniques":[]}`,
	`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[],"a/b~c":0}`,
	`{"label":"malicious"}`,
	`{"label":"benign"}`,
	`{"label":"suspicious"}`,
	`{"label":"malicious","why":"x"}`,
	`{}`,
	`[]`,
	`"malicious"`,
	`null`,
	`1e400`,
	`{"label":1.5e-1}`,
	``,
	`{"label":"malicious"}{"label":"benign"}`,
}

func TestStrictSchemaAgreesWithOracle(t *testing.T) {
	for _, src := range []string{answerSchema, labelSchema} {
		own, ref := compileStrictSchema(src), oracle(t, src)
		for _, doc := range schemaCases {
			ownOK := own.validate(doc) == nil
			if refOK := oracleValid(ref, doc); ownOK != refOK {
				t.Errorf("schema %.40q, answer %q: valid=%v, oracle says %v (err %v)", src, doc, ownOK, refOK, own.validate(doc))
			}
		}
	}
}

func TestStrictSchemaErrorsNameThePlace(t *testing.T) {
	own := compileStrictSchema(answerSchema)
	for doc, want := range map[string]string{
		`{"language":"perl","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]}`:                                   `at '/language': value must be one of "powershell"`,
		`{"language":"bash","label":"malicious","behaviours":[],"iocs":[],"techniques":[]}`:                                                 `at '': missing property "summary"`,
		`{"language":"bash","label":"malicious","summary":"s","behaviours":[{"text":"t","evidence":[1]}],"iocs":[],"techniques":[]}`:        `at '/behaviours/0/evidence/0': got number, want string`,
		`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[],"z":1,"a":2}`:                       `at '': additional property "a" not allowed`,
		`{"language":"bash","label":"malicious","summary":"s","behaviours":[{"text":"t","evidence":[],"a/b":1}],"iocs":[],"techniques":[]}`: `at '/behaviours/0': additional property "a/b" not allowed`,
		`{"language":"bash","label":"malicious","summary":"s","behaviours":[],"iocs":[],"techniques":[]} x`:                                 `invalid character after top-level value`,
	} {
		err := own.validate(doc)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want it to start with %q", doc, err, want)
		}
	}
	// Through parseAnswer the error is ErrInvalidAnswer.
	if _, err := parseAnswer(`{"language":"bash"}`); !errors.Is(err, ErrInvalidAnswer) {
		t.Errorf("parseAnswer: %v, want ErrInvalidAnswer", err)
	}
}

// TestStrictSchemaRefusesUnsupportedKeywords: a schema outside the subset
// must not compile, or its extra constraints would silently go unchecked.
func TestStrictSchemaRefusesUnsupportedKeywords(t *testing.T) {
	for _, src := range []string{
		`{"type":"string","maxLength":10}`,
		`{"type":"integer"}`,
		`{"type":["string","null"]}`,
		`{"type":"object","additionalProperties":true}`,
		`{"type":"object","additionalProperties":{"type":"string"}}`,
		`{"type":"string","enum":[1]}`,
		`{"type":"string","enum":[]}`,
		`{"type":"array","items":[{"type":"string"}]}`,
		`{"type":"object","properties":{"a":{"$ref":"#"}}}`,
		`{"type":"object","required":"a"}`,
		`{"anyOf":[{"type":"string"}]}`,
		`[]`,
		`{`,
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s compiled", src)
				}
			}()
			compileStrictSchema(src)
		}()
	}
}

// FuzzStrictSchema: on any answer text, the validator neither panics nor
// disagrees with the oracle.
func FuzzStrictSchema(f *testing.F) {
	for _, doc := range schemaCases {
		f.Add(doc)
	}
	own, ref := compileStrictSchema(answerSchema), oracle(f, answerSchema)
	ownL, refL := compileStrictSchema(labelSchema), oracle(f, labelSchema)
	f.Fuzz(func(t *testing.T, doc string) {
		if ok, want := own.validate(doc) == nil, oracleValid(ref, doc); ok != want {
			t.Errorf("answer schema, %q: valid=%v, oracle %v", doc, ok, want)
		}
		if ok, want := ownL.validate(doc) == nil, oracleValid(refL, doc); ok != want {
			t.Errorf("label schema, %q: valid=%v, oracle %v", doc, ok, want)
		}
	})
}
