package ui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"time"
)

// session is one browser's state. ID hash, CSRF token, Authed and Expires
// never change after creation (logging in replaces the session); Analyst is
// guarded by the store's mutex.
type session struct {
	key     [32]byte // sha256 of the cookie value
	csrf    string
	authed  bool
	expires time.Time
	analyst string
}

// sessions holds the live sessions in memory, keyed by the SHA-256 of the
// cookie value (so a map lookup's timing reveals nothing about a valid
// cookie). It is bounded: past max entries the expired ones go first, then
// the oldest. Sessions do not survive a restart; users simply log in again.
type sessions struct {
	mu  sync.Mutex
	m   map[[32]byte]*session
	max int
	ttl time.Duration
	now func() time.Time
}

func newSessions(max int, ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: make(map[[32]byte]*session), max: max, ttl: ttl, now: now}
}

// create starts a session and returns it with the cookie value to hand out.
func (s *sessions) create(authed bool) (*session, string) {
	value := rand.Text() + rand.Text() // 2 x 128 bits, base32
	sess := &session{key: sha256.Sum256([]byte(value)), csrf: rand.Text() + rand.Text(), authed: authed}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	sess.expires = now.Add(s.ttl)
	if len(s.m) >= s.max {
		s.evict(now)
	}
	s.m[sess.key] = sess
	return sess, value
}

// evict drops expired sessions and, if still full, the oldest anonymous
// session, or the oldest of all when every one is logged in: a flood of
// login-form visits cannot log analysts out. Called with mu held.
func (s *sessions) evict(now time.Time) {
	var oldest, oldestAnon *session
	for k, v := range s.m {
		if !now.Before(v.expires) {
			delete(s.m, k)
			continue
		}
		if oldest == nil || v.expires.Before(oldest.expires) {
			oldest = v
		}
		if !v.authed && (oldestAnon == nil || v.expires.Before(oldestAnon.expires)) {
			oldestAnon = v
		}
	}
	if len(s.m) < s.max {
		return
	}
	if oldestAnon != nil {
		oldest = oldestAnon
	}
	if oldest != nil {
		delete(s.m, oldest.key)
	}
}

// get returns the live session of a cookie value, or nil.
func (s *sessions) get(value string) *session {
	if value == "" || len(value) > 256 {
		return nil
	}
	key := sha256.Sum256([]byte(value))
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[key]
	if sess == nil {
		return nil
	}
	if !s.now().Before(sess.expires) {
		delete(s.m, key)
		return nil
	}
	return sess
}

func (s *sessions) remove(sess *session) {
	s.mu.Lock()
	delete(s.m, sess.key)
	s.mu.Unlock()
}

func (s *sessions) analyst(sess *session) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sess.analyst
}

func (s *sessions) setAnalyst(sess *session, name string) {
	s.mu.Lock()
	sess.analyst = name
	s.mu.Unlock()
}

// validCSRF compares a submitted token with the session's in constant
// time.
func (sess *session) validCSRF(got string) bool {
	if got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(sess.csrf)) == 1
}
