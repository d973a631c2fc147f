package ui_test

import (
	"context"
	"errors"
	"flag"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/automaldesc/automaldesc/sidecar/api"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the record page screenshot to docs/img/record-page.png")

// chromium finds the browser. Missing, the test skips locally and fails
// under CI (the Makefile installs Debian's chromium there).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (CI is set: the Makefile's deps-test installs it)")
	}
	t.Skip("chromium is not installed; the browser test needs /usr/bin/chromium")
	return ""
}

// browserLog collects what must not happen: dialogs, CSP violations and
// uncaught exceptions.
type browserLog struct {
	mu      sync.Mutex
	dialogs []string
	console []string
}

func (b *browserLog) snapshot() (dialogs, console []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.dialogs), slices.Clone(b.console)
}

// TestBrowser drives the UI in headless Chromium as an analyst would: log
// in, filter the list, open a record, give feedback, see it stored and
// shown; and opens a hostile record whose name and content carry XSS
// payloads, which must show as text and execute nothing.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	exe := chromium(t)
	f := newFixture(t)
	const token = "browser-test-token-0123456789"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(api.Handler(api.Options{Store: f.st, Token: token}))
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	}()
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.WindowSize(1400, 1000))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	var bl browserLog
	console := chromedp.Console(bctx) // starts the browser and the tab
	dialogs := chromedp.Events(bctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			bl.mu.Lock()
			bl.dialogs = append(bl.dialogs, string(ev.Type)+": "+ev.Message)
			bl.mu.Unlock()
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.IsException() || strings.Contains(m.Text, "Content Security Policy") || strings.Contains(m.Text, "Refused to") {
				bl.mu.Lock()
				bl.console = append(bl.console, m.String())
				bl.mu.Unlock()
			}
		}
	}()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(step, js string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return v
	}
	// navigateBy runs an action that loads a new page (a click on a link
	// or a submit button) and waits until the new page has loaded: the old
	// document carries a marker the new one lacks.
	navigateBy := func(step string, trigger chromedp.Action[chromedp.Void]) {
		t.Helper()
		eval(step+": mark", `window.__oldPage = true; "ok"`)
		do(step, trigger)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			v, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(window.__oldPage ? "old" : "new") + ":" + document.readyState`))
			if err == nil && v == "new:complete" {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the next page did not load (last state %q, %v)", step, v, err)
			}
		}
	}
	location := func() string {
		t.Helper()
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}

	// Log in: "/" goes to the list, which asks for the token first.
	do("open", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	if loc := location(); !strings.HasPrefix(loc, base+"/ui/login?next=") {
		t.Fatalf("first page: got %s, want the login form", loc)
	}
	do("type token", chromedp.SendKeys(chromedp.ID("token"), token))
	navigateBy("log in", chromedp.Click(chromedp.CSS(`form button[type=submit].primary`)))
	if got := eval("count rows", `String(document.querySelectorAll("table.records tbody tr").length)`); got != "7" {
		t.Errorf("list: got %s rows, want 7", got)
	}

	// Filter by verdict.
	// Choosing a verdict submits the filter form at once (ui.js; SetValue
	// fires the change event).
	navigateBy("filter", chromedp.SetValue(chromedp.ID("f-label"), "malicious"))
	if loc := location(); !strings.Contains(loc, "label=malicious") {
		t.Errorf("after filtering: location %s lacks label=malicious", loc)
	}
	labels := eval("labels", `Array.from(document.querySelectorAll("table.records tbody tr td:nth-child(4)")).map(e => e.textContent.trim()).join(",")`)
	if labels != "malicious,malicious" {
		t.Errorf("filtered labels: got %q, want two malicious records", labels)
	}

	// Open the record and give feedback.
	navigateBy("open record", chromedp.Click(chromedp.CSS(`a[href="/ui/records/`+f.cradle.ID+`"]`)))
	if got := eval("disposition before", `document.getElementById("disposition").textContent`); got != "no analyst feedback yet" {
		t.Errorf("disposition before feedback: got %q", got)
	}
	do("fill feedback", chromedp.SetValue(chromedp.ID("category"), "downloader"), chromedp.SetValue(chromedp.ID("rating"), "4"))
	navigateBy("send feedback", chromedp.Click(chromedp.ID("btn-malicious")))
	if got := eval("saved", `document.getElementById("saved") ? "yes" : "no"`); got != "yes" {
		t.Errorf("no 'Feedback saved' note after sending feedback")
	}
	if got := eval("disposition after", `document.getElementById("disposition").textContent`); got != "analyst: malicious" {
		t.Errorf("disposition after feedback: got %q, want %q", got, "analyst: malicious")
	}
	fbs, err := f.st.ListFeedback(ctx, f.cradle.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(fbs) != 1 || fbs[0].Disposition != "malicious" || fbs[0].Category != "downloader" || fbs[0].Rating != 4 || fbs[0].Summary != "" {
		t.Fatalf("stored feedback: got %+v, want one malicious/downloader/4 entry without a summary", fbs)
	}
	if got := eval("history", `document.querySelector("#history li").textContent.replace(/\s+/g, " ").trim()`); !strings.HasPrefix(got, "malicious · downloader · rated 4/5") {
		t.Errorf("history entry: got %q", got)
	}

	// The copy button copies the defanged IOC.
	origin := base
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(bctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name, AllowWithoutSanitization: true},
			Setting:    browser.PermissionSettingGranted, Origin: origin}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	want := eval("first IOC", `document.querySelector("button.copy").getAttribute("data-copy")`)
	if !strings.Contains(want, "[.]") {
		t.Fatalf("first IOC %q is not defanged", want)
	}
	do("copy", chromedp.Click(chromedp.CSS("button.copy")))
	got, err := chromedp.Run(bctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read clipboard: %v", err)
	}
	if got != want {
		t.Errorf("clipboard: got %q, want the defanged %q", got, want)
	}

	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	tmp := filepath.Join(t.TempDir(), "record-page.png")
	if err := os.WriteFile(tmp, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(shot) < 8 || string(shot[1:4]) != "PNG" {
		t.Errorf("screenshot is not a PNG (%d bytes)", len(shot))
	}
	if *updateScreenshot {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "img", "record-page.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The hostile sample, in the list and on its page.
	for _, path := range []string{"/ui/?q=invoice", "/ui/records/" + f.hostile.ID} {
		do("open "+path, chromedp.Navigate(base+path), chromedp.WaitReady(chromedp.CSS("footer")))
		if got := eval("pwned", `typeof window.__pwned`); got != "undefined" {
			t.Errorf("%s: window.__pwned is %s: a payload ran", path, got)
		}
		if got := eval("scripts", `String(document.scripts.length) + "/" + document.images.length + "/" + document.querySelectorAll("iframe,object,embed").length`); got != "1/0/0" {
			t.Errorf("%s: scripts/images/frames: got %s, want 1/0/0", path, got)
		}
		text := eval("text", `document.body.innerText`)
		for _, p := range []string{payloadScript, payloadImg} {
			if !strings.Contains(text, p) {
				t.Errorf("%s: visible text lacks the literal payload %q", path, p)
			}
		}
		if strings.Contains(path, "records") {
			if !strings.Contains(text, payloadJSURL) {
				t.Errorf("%s: visible text lacks the literal payload %q", path, payloadJSURL)
			}
			if got := eval("js links", `String(Array.from(document.querySelectorAll("a[href]")).filter(a => !a.href.startsWith(location.origin) && !a.href.startsWith("https://attack.mitre.org/techniques/T")).length)`); got != "0" {
				t.Errorf("%s: %s links leave the UI other than to ATT&CK", path, got)
			}
		}
	}
	// Let a late onerror or timer fire, then check once more.
	time.Sleep(200 * time.Millisecond)
	if got := eval("pwned later", `typeof window.__pwned`); got != "undefined" {
		t.Errorf("window.__pwned is %s after a pause: a payload ran", got)
	}
	gotDialogs, gotConsole := bl.snapshot()
	if len(gotDialogs) > 0 {
		t.Errorf("dialogs opened: %q", gotDialogs)
	}
	if len(gotConsole) > 0 {
		t.Errorf("CSP violations or exceptions: %q", gotConsole)
	}
}
