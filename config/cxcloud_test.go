package config

import (
	"cmp"
	"strings"
	"testing"
)

// TestCXCloudSection: the base URL from a free-form region, the documented
// token URL by default, and clear errors, naming the field, for what cannot
// sign in or reach the data.
func TestCXCloudSection(t *testing.T) {
	const head = "cxcloud:\n  - name: cx\n    client_id: id\n    client_secret: s\n"
	for _, tc := range []struct {
		name, extra string
		wantURL     string
		wantErr     string
		wantWarn    string
		wantPlan    string // "" = bulk, the default
	}{
		{name: "region", extra: "    region: us\n", wantURL: "https://api-cx.cisco.com/us/bcs/v2"},
		{name: "any region", extra: "    region: emea\n", wantURL: "https://api-cx.cisco.com/emea/bcs/v2"},
		{name: "base_url", extra: "    base_url: http://127.0.0.1:8080/us/bcs/v2/\n", wantURL: "http://127.0.0.1:8080/us/bcs/v2"},
		{name: "neither", extra: "", wantErr: "cx.yml:2: cxcloud[0].region: set region, as given when the application was registered (us is the one known), or base_url"},
		{name: "region with a slash", extra: "    region: us/bcs\n", wantErr: "cxcloud[0].region: region \"us/bcs\" must be one path segment"},
		{name: "base_url without the API path", extra: "    base_url: http://127.0.0.1:8080\n",
			wantErr: "cxcloud[0].base_url: http://127.0.0.1:8080 must end in /<region>/bcs/v2, as https://api-cx.cisco.com/us/bcs/v2 does"},
		{name: "base_url without a region", extra: "    base_url: http://127.0.0.1:8080/bcs/v2\n", wantErr: "must end in /<region>/bcs/v2"},
		{name: "the other API's token URL", extra: "    region: us\n    token_url: https://id.cisco.com/oauth2/default/v1/token\n",
			wantErr: "cxcloud[0].token_url: https://id.cisco.com/oauth2/default/v1/token signs in to Cisco's other CX Cloud API, whose tokens the BCS Operational Insights API refuses; remove token_url to sign in at https://api-cx.cisco.com/torii-auth/v1/token/"},
		{name: "plan lists", extra: "    region: us\n    plan: lists\n", wantURL: "https://api-cx.cisco.com/us/bcs/v2", wantPlan: "lists"},
		{name: "plan bulk", extra: "    region: us\n    plan: bulk\n", wantURL: "https://api-cx.cisco.com/us/bcs/v2"},
		{name: "unknown plan", extra: "    region: us\n    plan: pages\n",
			wantErr: `cx.yml:6: cxcloud[0].plan: plan "pages" must be bulk (one bulk/alerts call shared by the collections) or lists (each collection walks its lists)`},
		{name: "empty plan", extra: "    region: us\n    plan: \"\"\n", wantErr: `cxcloud[0].plan: plan "" must be bulk`},
		{name: "page_size", extra: "    region: us\n    page_size: 500\n", wantURL: "https://api-cx.cisco.com/us/bcs/v2",
			wantWarn: "cxcloud[0].page_size: page_size is ignored: CX Cloud picks the page size itself; remove it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(head+tc.extra), "cx.yml")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse() = %v; want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse() = %v", err)
			}
			cx := cfg.CXCloud[0]
			if cx.URL() != tc.wantURL || cx.TokenURL != CXCloudDefaultTokenURL {
				t.Errorf("URL(), token_url = %s, %s; want %s, %s", cx.URL(), cx.TokenURL, tc.wantURL, CXCloudDefaultTokenURL)
			}
			if got := strings.Join(cfg.Warnings, "\n"); !strings.Contains(got, tc.wantWarn) || (tc.wantWarn == "" && got != "") {
				t.Errorf("warnings = %q; want %q", got, tc.wantWarn)
			}
			if want := cmp.Or(tc.wantPlan, CXCloudPlanBulk); cx.Plan != want {
				t.Errorf("plan = %q; want %q", cx.Plan, want)
			}
		})
	}
}
