package llm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// strictSchema is a compiled JSON schema in the subset structured outputs
// use (OpenAI's strict mode, vLLM guided decoding, Ollama and llama.cpp
// grammars): "type", "properties", "required", "additionalProperties":
// false, "items" and string "enum" (and no "integer": these answers hold
// none, and telling 1.0 from 1.5e-1 exactly is not worth the code). The schemas the model is asked to
// answer in are the ones answers are checked against, so the two cannot
// drift; compiling refuses any other keyword rather than ignore it.
//
// A general validator (santhosh-tekuri/jsonschema, which the tests use as
// the oracle for this one) costs ~4 ms of package initialisation in every
// process that links it, a tenth of a one-file `scan`; the subset takes a
// hundred lines.
type strictSchema struct {
	typ      string                   // "object", "array", "string", "number", "boolean" or "null"
	props    map[string]*strictSchema // object: the schema of each property
	required []string                 // object: properties that must be present
	closed   bool                     // object: no properties beyond props
	items    *strictSchema            // array: the schema of every item (nil: any)
	enum     []string                 // string: the allowed values (nil: any)
}

// compileStrictSchema compiles src, panicking on a schema outside the
// subset: the schemas are constants of this package, and a mistake in one
// must fail its first test, not let answers through unchecked.
func compileStrictSchema(src string) *strictSchema {
	var doc any
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		panic(fmt.Sprintf("llm: schema: %v", err))
	}
	s, err := compileNode(doc, "#")
	if err != nil {
		panic(fmt.Sprintf("llm: schema: %v", err))
	}
	return s
}

func compileNode(doc any, at string) (*strictSchema, error) {
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a schema must be an object", at)
	}
	s := &strictSchema{}
	s.typ, _ = m["type"].(string)
	switch s.typ {
	case "object", "array", "string", "number", "boolean", "null":
	default:
		return nil, fmt.Errorf("%s: type %v is not one of the supported types", at, m["type"])
	}
	for k, v := range m {
		switch k {
		case "type":
		case "properties":
			props, ok := v.(map[string]any)
			if !ok || s.typ != "object" {
				return nil, fmt.Errorf("%s: properties needs an object schema and an object", at)
			}
			s.props = make(map[string]*strictSchema, len(props))
			for name, p := range props {
				ps, err := compileNode(p, at+"/properties/"+name)
				if err != nil {
					return nil, err
				}
				s.props[name] = ps
			}
		case "required":
			req, ok := v.([]any)
			if !ok || s.typ != "object" {
				return nil, fmt.Errorf("%s: required needs an object schema and an array", at)
			}
			for _, r := range req {
				name, ok := r.(string)
				if !ok {
					return nil, fmt.Errorf("%s: required lists a non-string", at)
				}
				s.required = append(s.required, name)
			}
		case "additionalProperties":
			if b, ok := v.(bool); !ok || b || s.typ != "object" {
				return nil, fmt.Errorf("%s: only additionalProperties false on an object schema is supported", at)
			}
			s.closed = true
		case "items":
			if s.typ != "array" {
				return nil, fmt.Errorf("%s: items needs an array schema", at)
			}
			is, err := compileNode(v, at+"/items")
			if err != nil {
				return nil, err
			}
			s.items = is
		case "enum":
			vals, ok := v.([]any)
			if !ok || s.typ != "string" || len(vals) == 0 {
				return nil, fmt.Errorf("%s: enum needs a string schema and a non-empty array", at)
			}
			for _, e := range vals {
				str, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%s: enum lists a non-string", at)
				}
				s.enum = append(s.enum, str)
			}
		default:
			return nil, fmt.Errorf("%s: keyword %q is not supported", at, k)
		}
	}
	return s, nil
}

// validate decodes doc, which must be exactly one JSON value, and checks it
// against s. The error names the first place that fails, as a JSON pointer.
func (s *strictSchema) validate(doc string) error {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid character after top-level value")
	}
	return s.check(v, "")
}

func (s *strictSchema) check(v any, at string) error {
	if !s.hasType(v) {
		return fmt.Errorf("at '%s': got %s, want %s", at, jsonType(v), s.typ)
	}
	switch x := v.(type) {
	case string:
		if s.enum != nil && !slices.Contains(s.enum, x) {
			return fmt.Errorf("at '%s': value must be one of %s", at, quoteAll(s.enum))
		}
	case []any:
		if s.items != nil {
			for i, e := range x {
				if err := s.items.check(e, at+"/"+strconv.Itoa(i)); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		for _, name := range s.required {
			if _, ok := x[name]; !ok {
				return fmt.Errorf("at '%s': missing property %s", at, strconv.Quote(name))
			}
		}
		// Sorted, so the same answer always gets the same error.
		names := make([]string, 0, len(x))
		for name := range x {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			ps, ok := s.props[name]
			if !ok {
				if s.closed {
					return fmt.Errorf("at '%s': additional property %s not allowed", at, strconv.Quote(name))
				}
				continue
			}
			if err := ps.check(x[name], at+"/"+escapePointer(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasType reports whether v, as encoding/json decodes with UseNumber, is of
// s's type.
func (s *strictSchema) hasType(v any) bool {
	switch v.(type) {
	case map[string]any:
		return s.typ == "object"
	case []any:
		return s.typ == "array"
	case string:
		return s.typ == "string"
	case bool:
		return s.typ == "boolean"
	case nil:
		return s.typ == "null"
	case json.Number:
		return s.typ == "number"
	}
	return false
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case json.Number:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// escapePointer escapes a property name as a JSON pointer token (RFC 6901).
func escapePointer(name string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

func quoteAll(vals []string) string {
	var b bytes.Buffer
	for i, v := range vals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(v))
	}
	return b.String()
}
