// Package api is the sidecar's HTTP API: health and readiness probes,
// Prometheus metrics, record search and retrieval, analyst feedback and
// on-demand scans; it also mounts the analysts' triage UI (package ui)
// under /ui/ and redirects / there.
//
// Security: the server binds to loopback by default and refuses to start
// on any other address without a bearer token; the token is compared in
// constant time (the UI asks for the same token once and keeps a session
// cookie). Every API answer is JSON (or the metrics text) with
// X-Content-Type-Options: nosniff; request bodies are size-limited;
// attacker-controlled text (file names, report fields, rejected query
// values) only ever appears JSON-encoded with HTML escaping, never
// reflected raw.
package api
