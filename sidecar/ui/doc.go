// Package ui is the analysts' triage web page, served by the sidecar's API
// under /ui/ (package api mounts it; "/" redirects there). It is rendered
// on the server with html/template from embedded templates and static
// files; a small same-origin script adds copy buttons and instant filters
// and nothing depends on it otherwise. There is no build step.
//
// # Pages
//
//   - GET /ui/ lists records newest first with filters (verdict label,
//     language, source, status, time range: a preset or from/to dates),
//     a search box (sha256, file name or path substring, or an IOC value:
//     store.Filter.Query) and paging by Seq (?before= older, ?after= newer;
//     n= page size, default 50). Each row shows the analyst disposition;
//     update records (store.Record.Supersedes set) carry an "update" badge.
//   - GET /ui/records/{id} shows one record: the explanation and its
//     claims, the verdict with its contributions (feature, signed
//     contribution, value, weight, evidence and detail), ATT&CK techniques
//     linked to attack.mitre.org, indicators, IOCs (defanged, with a copy
//     button that copies the defanged form), YARA matches, and the script
//     view: the original with line numbers (reports carry its first 64 KiB)
//     beside the full text of every decoded layer, evidence lines
//     highlighted in both. When a newer record supersedes the record (an
//     update with the LLM's enriched analysis: the newest one found with
//     store.Filter.Supersedes) a notice at the top links to it; an update
//     record links back to the record it updates. Ids are linked only when
//     they are well-formed record ids; a failed lookup is logged and the
//     page shows the record without the notice.
//   - POST /ui/records/{id}/feedback stores one store.Feedback (confirm,
//     malicious, suspicious or benign; category; rating 1-5; edited
//     summary; note) and redirects back (post/redirect/get), so the page at
//     once shows the new disposition: the latest sample-level feedback for
//     the sample's sha256. The summary is stored only when the analyst
//     changed the generated one. The history lists every entry.
//   - GET/POST /ui/login and POST /ui/logout when a token is configured.
//
// # Security
//
// Everything the sample, the rules or a model produced (script text,
// file names, decoded layers, IOCs, explanation, rule strings and meta)
// is rendered as text by html/template, never as template.HTML, and first
// passes through internal/safetext so invisible and direction-changing
// characters show as escapes. IOCs appear only defanged, as text, never as
// links; the only outbound links are ATT&CK pages built from well-formed
// technique ids. Views are bounded (256 KiB and 5,000 lines per layer, 64
// layers).
//
// Every answer carries a strict Content-Security-Policy (default-src
// 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action
// 'self'; frame-ancestors 'none'; base-uri 'none'), so no inline script or
// style exists in the pages; X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer, X-Frame-Options: DENY and Cache-Control:
// no-store.
//
// Sessions live in memory (bounded, 12 h by default) behind an HttpOnly,
// SameSite=Strict cookie scoped to /ui/ (Secure over TLS). With a token
// configured (required off loopback: api.CheckBind), every page but the
// login form needs a session made by entering the token, compared in
// constant time over SHA-256 digests; logging in replaces the session id.
// Only the login form hands out (anonymous) sessions then, and when the
// session table is full anonymous sessions are evicted first. Without a
// token each browser gets a session on its first visit. Every POST must
// carry the session's CSRF token (hidden "csrf" field or X-CSRF-Token
// header, compared in constant time) and, from a browser, come from this
// origin: Sec-Fetch-Site absent or same-origin, and Origin absent or
// matching the Host ("Origin: null", which browsers send for same-origin
// form posts under Referrer-Policy no-referrer, only together with
// Sec-Fetch-Site: same-origin). Bodies are capped at 64 KiB. The API
// routes (/v1/...) keep requiring the bearer header: the UI cookie does
// not open them.
package ui
