package analysis

import _ "embed"

// ReportSchema is the JSON Schema (draft 2020-12) of Report, as published
// in analysis/report.schema.json.
//
//go:embed report.schema.json
var ReportSchema []byte
