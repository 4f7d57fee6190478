package primesim

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/nmsexporter/nms_exporter/sim/simkit"
)

// format is the body format a request asked for.
type format uint8

const (
	formatXML format = iota
	formatJSON
)

// negotiate applies prime.md section 1: the .json or .xml suffix, else
// Accept: application/json, else XML.
func negotiate(ext string, r *http.Request) format {
	switch ext {
	case "json":
		return formatJSON
	case "xml":
		return formatXML
	}
	for _, a := range r.Header.Values("Accept") {
		for _, part := range strings.Split(a, ",") {
			mt, _, _ := strings.Cut(part, ";")
			if strings.EqualFold(strings.TrimSpace(mt), "application/json") {
				return formatJSON
			}
		}
	}
	return formatXML
}

// response is a rendered answer, before faults are applied.
type response struct {
	status int
	body   []byte
	ctype  string
	simkit.Headers
}

// render encodes v as JSON, or as XML converted from that JSON.
func render(status int, f format, v any) response {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // locations contain '>'
	if err := enc.Encode(v); err != nil {
		// Only our own types are encoded; failing here is a bug.
		panic(fmt.Sprintf("primesim: encode: %v", err))
	}
	if f == formatJSON {
		return response{status: status, body: buf.Bytes(), ctype: "application/json"}
	}
	b, err := jsonToXML(buf.Bytes())
	if err != nil {
		panic(fmt.Sprintf("primesim: xml: %v", err))
	}
	return response{status: status, body: b, ctype: "application/xml"}
}

func textResp(status int, msg string) response {
	return response{status: status, body: []byte(msg), ctype: "text/plain; charset=utf-8"}
}

// htmlResp is an HTML error page, as Prime's web server sends for 401 and
// 403 (and, as observed by some clients, 400 and 404).
func htmlResp(status int, msg string) response {
	title := fmt.Sprintf("HTTP Status %d - %s", status, http.StatusText(status))
	body := fmt.Sprintf("<!DOCTYPE html>\n<html><head><title>%s</title></head>\n<body><h1>%s</h1>\n<p><b>Message</b> %s</p>\n<hr><h3>Cisco Prime Infrastructure</h3></body></html>\n",
		title, title, html.EscapeString(msg))
	return response{status: status, body: []byte(body), ctype: "text/html;charset=utf-8"}
}

// loginPath is where requests without credentials are sent.
const loginPath = "/webacs/pages/common/login.jsp"

const loginPage = `<!DOCTYPE html>
<html><head><title>Cisco Prime Infrastructure</title></head>
<body><form method="post" action="/webacs/j_spring_security_check">
<input type="text" name="j_username"><input type="password" name="j_password">
<input type="submit" value="Login"></form></body></html>
`

// queryParams renders a request's query as the errorDocument's
// queryParams: a map printed as Java prints one.
func queryParams(r *http.Request) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=[" + strings.Join(q[k], ", ") + "]"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// xval is a JSON value with its object keys in order.
type xval struct {
	kind   byte // 'o' object, 'a' array, 's' scalar, 'n' null
	text   string
	keys   []string
	fields []*xval
	items  []*xval
}

func parseJSON(dec *json.Decoder) (*xval, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &xval{kind: 'o'}
		if t == '[' {
			v.kind = 'a'
		}
		for dec.More() {
			if v.kind == 'o' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k.(string))
			}
			item, err := parseJSON(dec)
			if err != nil {
				return nil, err
			}
			if v.kind == 'o' {
				v.fields = append(v.fields, item)
			} else {
				v.items = append(v.items, item)
			}
		}
		_, err := dec.Token() // the closing delimiter
		return v, err
	case nil:
		return &xval{kind: 'n'}, nil
	case string:
		return &xval{kind: 's', text: t}, nil
	default:
		return &xval{kind: 's', text: fmt.Sprint(t)}, nil
	}
}

// jsonToXML converts the simulator's JSON into the XML Prime sends for the
// same content: "@" keys become attributes, "$" the element's text, lists
// repeated elements.
func jsonToXML(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	root, err := parseJSON(dec)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	if root.kind != 'o' {
		return nil, fmt.Errorf("top level is not an object")
	}
	for k, key := range root.keys {
		writeXML(&buf, key, root.fields[k])
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func escape(w io.Writer, s string) { _ = xml.EscapeText(w, []byte(s)) }

func writeXML(buf *bytes.Buffer, name string, v *xval) {
	switch v.kind {
	case 'n':
		return
	case 'a':
		for _, item := range v.items {
			writeXML(buf, name, item)
		}
		return
	case 's':
		buf.WriteString("<" + name + ">")
		escape(buf, v.text)
		buf.WriteString("</" + name + ">")
		return
	}
	buf.WriteString("<" + name)
	text := ""
	var children []int
	for k, key := range v.keys {
		f := v.fields[k]
		switch {
		case key == "$" && f.kind == 's':
			text = f.text
		case strings.HasPrefix(key, "@") && f.kind == 's':
			buf.WriteString(" " + key[1:] + `="`)
			escape(buf, f.text)
			buf.WriteString(`"`)
		default:
			children = append(children, k)
		}
	}
	if text == "" && len(children) == 0 {
		buf.WriteString("/>")
		return
	}
	buf.WriteString(">")
	escape(buf, text)
	for _, k := range children {
		writeXML(buf, v.keys[k], v.fields[k])
	}
	buf.WriteString("</" + name + ">")
}
