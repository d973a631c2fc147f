package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/automaldesc/automaldesc/store"
)

// Prefix is the path the UI is served under; "/" redirects there.
const Prefix = "/ui/"

// CookieName is the name of the session cookie.
const CookieName = "automaldesc_ui"

// CSP is the Content-Security-Policy of every UI answer: no inline script
// or style, nothing from other origins, forms only to this origin, no
// framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Defaults of Options.
const (
	DefaultSessionTTL  = 12 * time.Hour
	DefaultMaxSessions = 4096
	DefaultPageSize    = 50
)

// maxFormBody caps every POST body the UI reads.
const maxFormBody = 64 << 10

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the UI handler.
type Options struct {
	Store store.Store
	// Token, when set, is asked for once on /ui/login; the browser then
	// holds an HttpOnly, SameSite=Strict session cookie. Empty means no
	// login (allowed on loopback only; the API's CheckBind enforces it).
	Token      string
	Logger     *slog.Logger
	SessionTTL time.Duration    // session lifetime; 0 = DefaultSessionTTL
	Now        func() time.Time // nil = time.Now (tests set a clock)
}

type handler struct {
	st        store.Store
	token     bool
	tokenHash [32]byte
	log       *slog.Logger
	now       func() time.Time
	sess      *sessions
	pages     map[string]*template.Template
	static    fs.FS
	mux       *http.ServeMux
}

// Handler returns the UI's routes, all under Prefix. It is safe for
// concurrent use. It panics only if the embedded templates do not parse,
// which the package tests rule out.
func Handler(opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = DefaultSessionTTL
	}
	st, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	h := &handler{
		st:        opt.Store,
		token:     opt.Token != "",
		tokenHash: sha256.Sum256([]byte(opt.Token)),
		log:       opt.Logger,
		now:       opt.Now,
		sess:      newSessions(DefaultMaxSessions, opt.SessionTTL, opt.Now),
		pages:     mustParsePages(),
		static:    st,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ui/{$}", h.list)
	mux.HandleFunc("GET /ui/records/{id}", h.record)
	mux.HandleFunc("POST /ui/records/{id}/feedback", h.feedback)
	mux.HandleFunc("GET /ui/login", h.loginForm)
	mux.HandleFunc("POST /ui/login", h.login)
	mux.HandleFunc("POST /ui/logout", h.logout)
	mux.HandleFunc("/ui/", func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusNotFound, "No such page.")
	})
	h.mux = mux
	return h
}

func mustParsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for _, name := range []string{"list", "record", "login", "error"} {
		pages[name] = template.Must(template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return pages
}

// securityHeaders are set on every UI answer.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

type ctxKey struct{}

func contextWith(r *http.Request, sess *session) context.Context {
	return context.WithValue(r.Context(), ctxKey{}, sess)
}

func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(ctxKey{}).(*session)
	return s
}

// ServeHTTP applies, in order: security headers; static files (no
// session); the session (created on first visit); for POSTs the same-origin
// check and the CSRF token; the login requirement.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	if file, ok := strings.CutPrefix(r.URL.Path, Prefix+"static/"); ok {
		h.serveStatic(w, r, file)
		return
	}
	var sess *session
	if c, err := r.Cookie(CookieName); err == nil {
		sess = h.sess.get(c.Value)
	}
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	login := r.URL.Path == Prefix+"login"
	if sess == nil && (!h.token || login && read) {
		// Without a token every visitor gets a session; with one, only
		// the login form hands out (anonymous) sessions, so requests that
		// are redirected cost no memory.
		var value string
		sess, value = h.sess.create(!h.token)
		h.setCookie(w, r, value, sess.expires)
	}
	if sess != nil && !read {
		if msg := h.checkPost(w, r, sess); msg != "" {
			h.renderErrorSession(w, r, sess, http.StatusForbidden, msg)
			return
		}
	}
	if sess == nil || !sess.authed && !login {
		if read {
			http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h.renderErrorSession(w, r, sess, http.StatusUnauthorized, "Log in first (your session may have expired).")
		return
	}
	h.mux.ServeHTTP(w, r.WithContext(contextWith(r, sess)))
}

func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     Prefix,
		Expires:  expires,
		HttpOnly: true,
		Secure:   r.TLS != nil,
		SameSite: http.SameSiteStrictMode,
	})
}

// checkPost returns why a state-changing request is refused, or "". A
// browser request must come from this origin (Sec-Fetch-Site, Origin) and
// every request must carry the session's CSRF token in the X-CSRF-Token
// header or the "csrf" form field.
//
// Under Referrer-Policy no-referrer browsers send "Origin: null" even for
// same-origin form posts, so "null" is accepted only when Sec-Fetch-Site
// vouches for the origin.
func (h *handler) checkPost(w http.ResponseWriter, r *http.Request, sess *session) string {
	site := r.Header.Get("Sec-Fetch-Site")
	switch site {
	case "", "same-origin":
	default:
		return "Cross-site request refused."
	}
	if o := r.Header.Get("Origin"); o != "" && (o != "null" || site == "") {
		u, err := url.Parse(o)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) || (u.Scheme != "http" && u.Scheme != "https") {
			return "Cross-origin request refused."
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		if err := r.ParseForm(); err != nil {
			return "The form could not be read (too large or malformed)."
		}
		got = r.PostForm.Get("csrf")
	}
	if !sess.validCSRF(got) {
		return "The form has expired or did not come from this page (CSRF token missing or wrong). Reload the page and try again."
	}
	return ""
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request, file string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if file == "" || strings.Contains(file, "/") || !fs.ValidPath(file) {
		http.NotFound(w, r)
		return
	}
	b, err := fs.ReadFile(h.static, file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(file) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(b))
}

// page is what every template gets besides its own data.
type page struct {
	Title     string
	CSRF      string
	LoginUsed bool // a token is configured: show "Log out"
	Authed    bool
}

func (h *handler) base(sess *session, title string) page {
	p := page{Title: title, LoginUsed: h.token}
	if sess != nil {
		p.CSRF = sess.csrf
		p.Authed = sess.authed
	}
	return p
}

func (h *handler) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		h.log.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorPage struct {
	page
	Status  int
	Message string
}

func (h *handler) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	h.renderErrorSession(w, r, sessionOf(r), status, msg)
}

func (h *handler) renderErrorSession(w http.ResponseWriter, _ *http.Request, sess *session, status int, msg string) {
	h.render(w, status, "error", errorPage{page: h.base(sess, http.StatusText(status)), Status: status, Message: msg})
}

type loginPage struct {
	page
	Next  string
	Error string
}

// safeNext keeps a post-login redirect inside the UI.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") || len(next) > 2048 {
		return Prefix
	}
	return next
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	next := safeNext(r.URL.Query().Get("next"))
	if sess.authed {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, http.StatusOK, "login", loginPage{page: h.base(sess, "Log in"), Next: next})
}

// login checks the token (constant time over digests) and replaces the
// session with an authenticated one (a fresh id: no session fixation).
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	_ = r.ParseForm() // already parsed by the CSRF check unless the header carried the token
	next := safeNext(r.PostForm.Get("next"))
	if !h.token {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("token")))
	if subtle.ConstantTimeCompare(sum[:], h.tokenHash[:]) != 1 {
		h.log.Warn("ui login failed", "remote", r.RemoteAddr)
		h.render(w, http.StatusUnauthorized, "login", loginPage{page: h.base(sess, "Log in"), Next: next, Error: "Wrong token."})
		return
	}
	h.sess.remove(sess)
	_, value := h.sess.create(true)
	h.setCookie(w, r, value, h.now().Add(h.sess.ttl))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	h.sess.remove(sessionOf(r))
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: Prefix, MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	to := Prefix + "login"
	if !h.token {
		to = Prefix
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
