package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSIEMSinks(t *testing.T) {
	d := Defaults()
	if d.Sinks.Splunk.URL != "" || d.Sinks.Elasticsearch.URL != "" || d.Sinks.Syslog.Address != "" {
		t.Fatalf("SIEM sinks must be off by default: %+v", d.Sinks)
	}
	t.Run("valid from file and env", func(t *testing.T) {
		file := writeFile(t, "c.yaml", "sinks:\n  splunk:\n    url: https://splunk.example:8088\n    token_env: HEC_TOKEN\n    index: sec\n"+
			"  elasticsearch:\n    url: https://es.example:9200\n    api_key_env: ES_KEY\n  syslog:\n    address: siem.example:6514\n    tls: true\n    ca_file: /etc/ca.pem\n")
		c, _, err := Load(Options{File: file, Environ: []string{"AUTOMALDESC_SINKS_SPLUNK_SOURCETYPE=automaldesc:alert"}})
		if err != nil {
			t.Fatal(err)
		}
		sp, es, sl := c.Sinks.Splunk, c.Sinks.Elasticsearch, c.Sinks.Syslog
		if sp.URL != "https://splunk.example:8088" || sp.TokenEnv != "HEC_TOKEN" || sp.Index != "sec" || sp.SourceType != "automaldesc:alert" || sp.Timeout != 10*time.Second {
			t.Errorf("splunk: got %+v", sp)
		}
		if es.Index != "automaldesc-alerts" || es.APIKeyEnv != "ES_KEY" {
			t.Errorf("elasticsearch: got %+v, want default index and the api key env", es)
		}
		if !sl.TLS || sl.CAFile != "/etc/ca.pem" || sl.Address != "siem.example:6514" {
			t.Errorf("syslog: got %+v", sl)
		}
	})
	tests := []struct {
		name, file, wantKey string
	}{
		{"splunk url", "sinks:\n  splunk:\n    url: splunk:8088\n    token_env: T\n", "sinks.splunk.url"},
		{"splunk token", "sinks:\n  splunk:\n    url: https://splunk.example\n", "sinks.splunk.token_env"},
		{"splunk timeout", "sinks:\n  splunk:\n    url: https://s.example\n    token_env: T\n    timeout: 1ms\n", "sinks.splunk.timeout"},
		{"es index", "sinks:\n  elasticsearch:\n    url: http://es.example:9200\n    index: Alerts\n", "sinks.elasticsearch.index"},
		{"es index start", "sinks:\n  elasticsearch:\n    url: http://es.example:9200\n    index: _x\n", "sinks.elasticsearch.index"},
		{"es user without password", "sinks:\n  elasticsearch:\n    url: http://es.example:9200\n    username: u\n", "sinks.elasticsearch.username"},
		{"es both auths", "sinks:\n  elasticsearch:\n    url: http://es.example:9200\n    username: u\n    password_env: P\n    api_key_env: K\n", "sinks.elasticsearch.api_key_env"},
		{"syslog address", "sinks:\n  syslog:\n    address: siem.example\n", "sinks.syslog.address"},
		{"syslog ca without tls", "sinks:\n  syslog:\n    address: siem.example:514\n    ca_file: ca.pem\n", "sinks.syslog.ca_file"},
		{"unknown key", "sinks:\n  splunk:\n    tokenenv: T\n", "tokenenv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Load(Options{File: writeFile(t, "c.yaml", tc.file), Environ: []string{}})
			if err == nil || !strings.Contains(err.Error(), tc.wantKey) || !errors.Is(err, ErrInvalid) {
				t.Errorf("got %v, want an ErrInvalid naming %s", err, tc.wantKey)
			}
		})
	}
}
