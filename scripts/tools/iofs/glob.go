package main

import (
	"fmt"
	"regexp"
	"strings"
)

// A path glob as Chaos Mesh's IOChaos takes it: `*` any run of characters within one path segment, `**` any
// run across segments, `?` one character other than `/`, `[...]` a class. An absolute pattern is matched
// against the absolute path (the volume path joined with the path inside it), a relative one against the
// path relative to the volume. The empty pattern matches every path.
type glob struct {
	absolute bool
	re       *regexp.Regexp // nil: every path
}

func compileGlob(pattern string) (*glob, error) {
	if pattern == "" {
		return &glob{}, nil
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch c {
		case '*':
			if i+1 < len(pattern) && pattern[i+1] == '*' {
				i++
				// `**/` also matches no folder at all.
				if i+1 < len(pattern) && pattern[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(pattern[i+1:], ']')
			if end < 0 {
				return nil, fmt.Errorf("%q has a [ without ]", pattern)
			}
			class := pattern[i+1 : i+1+end]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid glob: %v", pattern, err)
	}
	return &glob{absolute: strings.HasPrefix(pattern, "/"), re: re}, nil
}

// matches tells whether the file at `rel` (relative to the volume, "" for its root) under `volume` matches.
func (g *glob) matches(volume, rel string) bool {
	if g.re == nil {
		return true
	}
	if g.absolute {
		full := volume
		if rel != "" {
			full = strings.TrimSuffix(volume, "/") + "/" + rel
		}
		return g.re.MatchString(full)
	}
	return g.re.MatchString(rel)
}
