package dashboards

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nmsexporter/nms_exporter/config"

	"github.com/prometheus/prometheus/promql/parser"
)

// The checks below keep the dashboards a set to move through: links between
// them, a device view every device list leads to, and links on the labels
// that carry a URL. See docs/dashboards.md.

const (
	overviewUID = "nms-overview"
	deviceUID   = "nms-device"
)

// outputLabels returns the labels of the series e yields, as far as PromQL's
// rules tell without data: the columns of a table, the labels a series link
// can read.
func outputLabels(e parser.Expr, fams map[string]family) map[string]bool {
	switch n := e.(type) {
	case *parser.VectorSelector:
		return selectorLabels(n, fams)
	case *parser.MatrixSelector:
		return outputLabels(n.VectorSelector, fams)
	case *parser.SubqueryExpr:
		return outputLabels(n.Expr, fams)
	case *parser.ParenExpr:
		return outputLabels(n.Expr, fams)
	case *parser.StepInvariantExpr:
		return outputLabels(n.Expr, fams)
	case *parser.UnaryExpr:
		return outputLabels(n.Expr, fams)
	case *parser.Call:
		return callLabels(n, fams)
	case *parser.AggregateExpr:
		inner := outputLabels(n.Expr, fams)
		switch n.Op {
		case parser.TOPK, parser.BOTTOMK, parser.LIMITK, parser.LIMIT_RATIO:
			return inner
		}
		out := map[string]bool{}
		if n.Without {
			out = maps.Clone(inner)
			for _, l := range n.Grouping {
				delete(out, l)
			}
		} else {
			for _, l := range n.Grouping {
				out[l] = true
			}
		}
		if s, ok := n.Param.(*parser.StringLiteral); ok && n.Op == parser.COUNT_VALUES {
			out[s.Val] = true
		}
		return out
	case *parser.BinaryExpr:
		return binaryLabels(n, fams)
	}
	return map[string]bool{}
}

func callLabels(n *parser.Call, fams map[string]family) map[string]bool {
	switch n.Func.Name {
	case "label_replace", "label_join":
		out := outputLabels(n.Args[0], fams)
		if s, ok := n.Args[1].(*parser.StringLiteral); ok {
			out[s.Val] = true
		}
		return out
	case "histogram_quantile":
		out := outputLabels(n.Args[1], fams)
		delete(out, "le")
		return out
	}
	for _, a := range n.Args {
		if t := a.Type(); t == parser.ValueTypeVector || t == parser.ValueTypeMatrix {
			return outputLabels(a, fams)
		}
	}
	return map[string]bool{}
}

// binaryLabels follows Prometheus' resultMetric: set operators keep the
// left side's labels (or both sides' rows for or), one-to-one matching on
// listed labels keeps only those, group_left and group_right add the
// included labels to the many side's.
func binaryLabels(n *parser.BinaryExpr, fams map[string]family) map[string]bool {
	lhs, rhs := outputLabels(n.LHS, fams), outputLabels(n.RHS, fams)
	lScalar, rScalar := n.LHS.Type() == parser.ValueTypeScalar, n.RHS.Type() == parser.ValueTypeScalar
	switch {
	case lScalar && rScalar:
		return map[string]bool{}
	case lScalar:
		return rhs
	case rScalar:
		return lhs
	}
	switch n.Op {
	case parser.LAND, parser.LUNLESS:
		return lhs
	case parser.LOR:
		out := maps.Clone(lhs)
		maps.Copy(out, rhs)
		return out
	}
	m := n.VectorMatching
	if m == nil {
		return lhs
	}
	out := lhs
	if m.Card == parser.CardOneToMany {
		out = rhs
	}
	out = maps.Clone(out)
	if m.Card == parser.CardOneToOne {
		if m.On {
			out = map[string]bool{}
			for _, l := range m.MatchingLabels {
				out[l] = lhs[l]
			}
		} else {
			for _, l := range m.MatchingLabels {
				delete(out, l)
			}
		}
	}
	for _, l := range m.Include {
		out[l] = true
	}
	for l, ok := range out {
		if !ok {
			delete(out, l)
		}
	}
	return out
}

func TestOutputLabels(t *testing.T) {
	t.Parallel()
	fams := familyLabels(t)
	tests := []struct {
		name, expr string
		want       []string
	}{
		{"probe family gets sd labels", `nms_device_uptime_seconds`, []string{"device", "instance", "job", "serial", "site", "source", "vendor"}},
		{"exporter family does not", `nms_config_last_reload_successful`, []string{"instance", "job"}},
		{"aggregation by", `count by (instance, device) (nms_interface_up == 0)`, []string{"device", "instance"}},
		{"aggregation without", `sum without (band, ssid) (nms_clients)`, []string{"instance", "job", "site", "source", "vendor"}},
		{"topk keeps labels", `topk(3, nms_ap_clients)`, []string{"device", "instance", "job", "site", "source", "vendor"}},
		{"and keeps the left", `nms_ap_radio_channel and on (instance, device) nms_device_info`, []string{"band", "device", "instance", "job", "source", "vendor"}},
		{"or takes both", `nms_mist_site_clients or nms_nautobot_workers`, []string{"instance", "job", "site", "source", "vendor"}},
		{"group_left adds", `nms_security_advisory_devices * on (instance, advisory) group_left (title, url) nms_cxcloud_security_advisory_info`,
			[]string{"advisory", "impact", "instance", "job", "source", "title", "url", "vendor"}},
		{"one-to-one on keeps the matching labels", `nms_device_up / on (instance, device) nms_device_info`, []string{"device", "instance"}},
		{"scalar arithmetic", `time() - nms_mist_device_last_seen_timestamp_seconds`, []string{"device", "instance", "job", "serial", "site", "source", "vendor"}},
		{"label_replace adds", `label_replace(nms_device_info, "neighbor", "$1", "device", "(.+)")`,
			[]string{"device", "device_type", "instance", "job", "mac", "model", "neighbor", "serial", "site", "source", "vendor", "version"}},
		{"histogram quantile drops le", `histogram_quantile(0.9, sum by (instance, le) (rate(nms_api_request_duration_seconds_bucket[5m])))`, []string{"instance"}},
		{"rate keeps labels", `rate(nms_interface_receive_bytes_total[5m]) * 8`, []string{"device", "instance", "interface", "job", "source", "vendor"}},
		{"vector has none", `vector(0)`, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := mustParseExpr(t, tt.expr)
			if got := slices.Sorted(maps.Keys(outputLabels(e, fams))); !slices.Equal(got, tt.want) {
				t.Errorf("outputLabels(%q) = %v; want %v", tt.expr, got, tt.want)
			}
		})
	}
}

// panelLabels returns the labels of every series a panel's targets yield.
func panelLabels(p panel, fams map[string]family) map[string]bool {
	out := map[string]bool{}
	for _, tg := range p.Targets {
		if e, err := parseExpr(substitute(tg.Expr, rateInterval)); err == nil {
			maps.Copy(out, outputLabels(e, fams))
		}
	}
	return out
}

// links returns every data link of a panel with the override matcher it
// sits under ("" for the defaults, which cover every field).
func (p panel) links() map[string][]dataLink {
	out := map[string][]dataLink{}
	out[""] = p.FieldConfig.Defaults.Links
	for _, o := range p.FieldConfig.Overrides {
		var name string
		if o.Matcher.ID == "byName" {
			_ = json.Unmarshal(o.Matcher.Options, &name)
		}
		for _, pr := range o.Properties {
			if pr.ID != "links" {
				continue
			}
			var ls []dataLink
			_ = json.Unmarshal(pr.Value, &ls)
			out[name] = append(out[name], ls...)
		}
	}
	return out
}

// shown returns what a table calls a frame field, and whether its
// organize step drops it (a dropped field is no longer there for a link to
// read; one hidden by an override still is).
func (p panel) shown(field string) (name string, dropped bool) {
	name = field
	for _, tr := range p.Transformations {
		if tr.ID != "organize" {
			continue
		}
		if tr.Options.ExcludeByName[field] {
			dropped = true
		}
		if r, ok := tr.Options.RenameByName[field]; ok {
			name = r
		}
	}
	return name, dropped
}

// fieldRef is how a link reads a label of the value clicked: a table row's
// field, or the clicked series' label.
func fieldRef(p panel, label string) string {
	if p.Type == "table" {
		return "${__data.fields." + label
	}
	return "${__field.labels." + label
}

// labelLink reports whether p has a link to a URL containing want that reads
// every label of need from the value clicked. In a table the organize step
// must keep the fields the link reads, and with column set the link must sit
// on that field's column (or on every column).
func labelLink(p panel, want, column string, need ...string) (ok bool, why string) {
	on := ""
	if p.Type == "table" {
		for _, l := range need {
			if _, dropped := p.shown(l); dropped {
				return false, "the organize transformation drops field " + l + " (hide it with custom.hidden instead)"
			}
		}
		if column != "" {
			on, _ = p.shown(column)
		}
	}
	for matcher, ls := range p.links() {
		if on != "" && matcher != "" && matcher != on {
			continue
		}
		for _, l := range ls {
			all := strings.Contains(l.URL, want)
			for _, n := range need {
				all = all && strings.Contains(l.URL, fieldRef(p, n))
			}
			if all {
				return true, ""
			}
		}
	}
	where := "on the panel"
	if on != "" {
		where = "on column " + on + " or the whole table"
	}
	if want != "" {
		where += " to " + want
	}
	return false, "has no link " + where + " reading " + strings.Join(need, ", ")
}

func TestDeviceDataLinks(t *testing.T) {
	t.Parallel()
	fams := familyLabels(t)
	all := boards(t)
	if _, ok := all["device.json"]; !ok || all["device.json"].UID != deviceUID {
		t.Fatalf("device.json = missing or uid not %s; want the device dashboard", deviceUID)
	}
	listing := 0
	for _, name := range sortedNames(all) {
		b := all[name]
		if b.UID == deviceUID {
			continue // its panels show the one device already
		}
		for _, p := range b.allPanels() {
			got := panelLabels(p, fams)
			if p.Type == "row" || !got["device"] {
				continue
			}
			listing++
			if !got["source"] {
				t.Errorf("%s: panel %q yields device without source; want source kept for the link to the device dashboard", name, p.Title)
				continue
			}
			if ok, why := labelLink(p, "/d/"+deviceUID, "device", "device", "source"); !ok {
				t.Errorf("%s: panel %q lists devices but %s; want a data link to the device dashboard", name, p.Title, why)
			}
		}
	}
	if listing == 0 {
		t.Errorf("panels listing devices = 0; want the vendor dashboards' device tables")
	}
}

func TestURLDataLinks(t *testing.T) {
	t.Parallel()
	fams := familyLabels(t)
	withURL := 0
	for _, f := range fams {
		if f.labels["url"] {
			withURL++
		}
	}
	found := 0
	for _, name := range sortedNames(boards(t)) {
		for _, p := range boards(t)[name].allPanels() {
			got := panelLabels(p, fams)
			if p.Type == "row" || !got["url"] {
				continue
			}
			found++
			if ok, why := labelLink(p, "", "", "url"); !ok {
				t.Errorf("%s: panel %q yields a url label but %s; want a data link to it", name, p.Title, why)
			}
		}
	}
	if withURL > 0 && found == 0 {
		t.Errorf("panels reading a url label = 0; want the families with one (%d) shown with their links", withURL)
	}
}

// linkTarget returns the dashboard uids a URL leads to, none for a URL
// outside Grafana's dashboards; a uid built from the vendor label stands for
// every vendor's.
func linkTarget(url string) []string {
	m := regexp.MustCompile(`^/d/([^/?]+)`).FindStringSubmatch(url)
	if m == nil {
		return nil
	}
	uid := m[1]
	vendor := regexp.MustCompile(`\$\{(?:__field\.labels|__data\.fields)\.vendor(?::\w+)?\}`)
	if !vendor.MatchString(uid) {
		return []string{uid}
	}
	var out []string
	for _, v := range config.Vendors() {
		out = append(out, vendor.ReplaceAllString(uid, v))
	}
	return out
}

// urlVariables returns the variables a dashboard URL sets: var-NAME= and
// ${NAME:queryparam}.
func urlVariables(url string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`[?&]var-(\w+)=|\$\{(\w+):queryparam\}`).FindAllStringSubmatch(url, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

func TestDashboardLinks(t *testing.T) {
	t.Parallel()
	all := boards(t)
	byUID := map[string]*board{}
	for _, b := range all {
		byUID[b.UID] = b
	}
	check := func(from, what, url string) []string {
		own := map[string]bool{}
		for _, v := range all[from].Templating.List {
			own[v.Name] = true
		}
		for _, m := range regexp.MustCompile(`\$\{(\w+)`).FindAllStringSubmatch(url, -1) {
			if !strings.HasPrefix(m[1], "__") && !own[m[1]] {
				t.Errorf("%s: %s url %q reads variable %s; want only variables of %s", from, what, url, m[1], from)
			}
		}
		targets := linkTarget(url)
		for _, uid := range targets {
			to, ok := byUID[uid]
			if !ok {
				t.Errorf("%s: %s url %q leads to uid %s; want a bundled dashboard", from, what, url, uid)
				continue
			}
			vars := map[string]bool{}
			for _, v := range to.Templating.List {
				vars[v.Name] = true
			}
			for _, v := range urlVariables(url) {
				if !vars[v] {
					t.Errorf("%s: %s url %q sets variable %s; want only variables of %s", from, what, url, v, uid)
				}
			}
		}
		return targets
	}
	for _, name := range sortedNames(all) {
		b := all[name]
		dropdown := false
		leadsTo := map[string]bool{}
		for _, l := range b.Links {
			switch l.Type {
			case "dashboards":
				if slices.Equal(l.Tags, []string{"nms_exporter"}) && l.AsDropdown && l.KeepTime && !l.IncludeVars {
					dropdown = true
				}
			case "link":
				if !l.KeepTime {
					t.Errorf("%s: link %q keepTime = false; want true, the time range kept", name, l.Title)
				}
				for _, uid := range check(name, "link "+l.Title, l.URL) {
					leadsTo[uid] = true
				}
			}
		}
		// includeVars would carry one vendor's sources and sites to
		// dashboards that list other values.
		if !dropdown {
			t.Errorf("%s: links = %+v; want a dropdown of the dashboards tagged nms_exporter, keeping the time range, not the variables", name, b.Links)
		}
		if b.UID != overviewUID && !leadsTo[overviewUID] {
			t.Errorf("%s: links lead to %v; want a link back to the overview", name, sortedNames(leadsTo))
		}
		if b.UID == overviewUID {
			for _, v := range config.Vendors() {
				if !leadsTo["nms-"+v] {
					t.Errorf("%s: links lead to %v; want a link to nms-%s", name, sortedNames(leadsTo), v)
				}
			}
		}
		for _, p := range b.allPanels() {
			for _, ls := range p.links() {
				for _, l := range ls {
					check(name, "panel "+p.Title+" data link", l.URL)
				}
			}
		}
	}
}
