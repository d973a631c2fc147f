package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestQueueConfig(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		env     []string
		wantSub string // "" = valid
	}{
		{name: "defaults: single host", file: "log:\n  level: info\n"},
		{name: "worker with url", file: "queue:\n  url: nats://127.0.0.1:4222\nwatch:\n  role: worker\n"},
		{name: "cluster urls", file: "queue:\n  url: nats://a:4222,tls://b:4222\nwatch:\n  role: intake\n"},
		{name: "env", env: []string{"AUTOMALDESC_QUEUE_URL=nats://n:4222", "AUTOMALDESC_WATCH_ROLE=worker", "AUTOMALDESC_QUEUE_ACK_WAIT=45s"}},
		{name: "role without url", file: "watch:\n  role: worker\n", wantSub: "watch.role"},
		{name: "unknown role", file: "watch:\n  role: boss\n", wantSub: "watch.role"},
		{name: "http url", file: "queue:\n  url: http://n:4222\n", wantSub: "queue.url"},
		{name: "wildcard subject", file: "queue:\n  subject: a.*\n", wantSub: "queue.subject"},
		{name: "empty token", file: "queue:\n  subject: a..b\n", wantSub: "queue.subject"},
		{name: "dotted stream", file: "queue:\n  stream: A.B\n", wantSub: "queue.stream"},
		{name: "alerts on the work subject", file: "queue:\n  alerts_subject: automaldesc.samples\n", wantSub: "queue.alerts_subject"},
		{name: "alerts on the dead subject", file: "queue:\n  alerts_subject: automaldesc.samples.dead\n", wantSub: "queue.alerts_subject"},
		{name: "alerts off", file: "queue:\n  alerts_subject: \"\"\n"},
		{name: "inline too big", file: "queue:\n  inline_max: 1MiB\n", wantSub: "queue.inline_max"},
		{name: "max deliver 0", file: "queue:\n  max_deliver: 0\n", wantSub: "queue.max_deliver"},
		{name: "ack wait too short", file: "queue:\n  ack_wait: 10ms\n", wantSub: "queue.ack_wait"},
		{name: "amavis with queue", file: "queue:\n  url: nats://n:4222\nwatch:\n  folders:\n    - path: /q\n      format: amavis\n", wantSub: "watch.folders[0].format"},
		{name: "unknown queue key", file: "queue:\n  urll: x\n", wantSub: "urll"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{Environ: tc.env}
			if opt.Environ == nil {
				opt.Environ = []string{}
			}
			if tc.file != "" {
				opt.File = writeFile(t, "c.yaml", tc.file)
			}
			c, _, err := Load(opt)
			if tc.wantSub == "" {
				if err != nil {
					t.Fatalf("got %v, want a valid configuration", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantSub) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantSub)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want errors.Is(err, ErrInvalid)", err)
			}
			_ = c
		})
	}
}

func TestQueueDefaults(t *testing.T) {
	d := Defaults()
	if d.Watch.Role != RoleAll || d.Queue.URL != "" {
		t.Errorf("role %q, url %q: want all and empty (single host)", d.Watch.Role, d.Queue.URL)
	}
	if d.Queue.MaxDeliver != 5 || d.Queue.AckWait != 30*time.Second || d.Queue.InlineMax != 512*KiB {
		t.Errorf("got max_deliver %d, ack_wait %s, inline_max %s; want 5, 30s, 512KiB", d.Queue.MaxDeliver, d.Queue.AckWait, d.Queue.InlineMax)
	}
	c, _, err := Load(Options{Environ: []string{"AUTOMALDESC_QUEUE_URL=nats://n:4222", "AUTOMALDESC_WATCH_ROLE=worker", "AUTOMALDESC_QUEUE_ACK_WAIT=45s"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Queue.URL != "nats://n:4222" || c.Watch.Role != RoleWorker || c.Queue.AckWait != 45*time.Second {
		t.Errorf("env: got url %q role %q ack_wait %s", c.Queue.URL, c.Watch.Role, c.Queue.AckWait)
	}
}
