package main

import (
	"strings"
	"testing"
)

func TestGlobMatchesLikeChaosMeshPaths(t *testing.T) {
	cases := []struct {
		pattern, rel string
		want         bool
	}{
		{"", "any/thing", true},
		{"/vol/*.txt", "a.txt", true},
		{"/vol/*.txt", "sub/a.txt", false},
		{"/vol/**/*.txt", "a.txt", true},
		{"/vol/**/*.txt", "sub/deep/a.txt", true},
		{"/vol/**", "sub/deep/a.txt", true},
		{"**/*.log", "logs/app.log", true},
		{"**/*.log", "app.log", true},
		{"data/?.bin", "data/c.bin", true},
		{"data/?.bin", "data/cc.bin", false},
		{"data/[ab].bin", "data/b.bin", true},
		{"data/[!ab].bin", "data/b.bin", false},
		{"/vol", "", true},
	}
	for _, c := range cases {
		g, err := compileGlob(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		if got := g.matches("/vol", c.rel); got != c.want {
			t.Errorf("%q against %q: got %v, want %v", c.pattern, c.rel, got, c.want)
		}
	}
}

func TestParseRulesRefusesWhatItCannotApply(t *testing.T) {
	cases := map[string]string{
		`[{"type":"latency","latency":"1s","methods":["forget"]}]`: `"forget" cannot be injected here`,
		`[{"type":"latency","latency":"1s","methods":["bogus"]}]`:  `"bogus" is not an IOChaos method`,
		`[{"type":"latency","latency":"soon"}]`:                    `latency: "soon" is not a Go duration`,
		`[{"type":"fault","percent":101}]`:                         `percent: 101 is not within 0..100`,
		`[{"type":"attrOverride","kind":"pipe"}]`:                  `kind: "pipe" is not a file kind`,
		`[{"type":"mistake","mistake":{"filling":"ones"}}]`:        `filling: "ones" is not zero or random`,
		`[{"type":"mistake"}]`:                                     `mistake: required`,
		`[{"type":"teleport"}]`:                                    `type: "teleport" is not latency`,
		`[{"type":"fault","unknownField":1}]`:                      `unknown field`,
		`{"type":"fault"}`:                                         `not a JSON array`,
		`[{"type":"fault","path":"[oops"}]`:                        `has a [ without ]`,
	}
	for text, want := range cases {
		if _, err := parseRules(text); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error containing %q", text, err, want)
		}
	}
	rules, err := parseRules(`[{"type":"fault","path":"**/*.log","methods":["open","read"],"percent":50,"faults":[{"errno":0,"weight":1}]},{"type":"latency","latency":"10ms","source":"default/x-main"}]`)
	if err != nil || len(rules) != 2 || rules[0].percent != 50 || rules[1].percent != 100 {
		t.Fatalf("got %+v, %v", rules, err)
	}
	if errno := pickErrno(rules[0].faults); errno != 5 {
		t.Errorf("errno 0 should be EIO, got %d", errno)
	}
}
