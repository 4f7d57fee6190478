package config

import (
	"encoding/base64"
	"reflect"
)

// Secrets lists every secret the config holds, each as it is given and in
// the forms it travels in (Basic-auth credentials), so that a scrubber can
// keep them out of what the exporter shows even when a vendor echoes them
// back.
func (c *Config) Secrets() []string {
	var out []string
	collectSecrets(reflect.ValueOf(c), &out)
	return out
}

var secretType = reflect.TypeFor[Secret]()

func collectSecrets(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			collectSecrets(v.Elem(), out)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			collectSecrets(v.Index(i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			collectSecrets(v.MapIndex(k), out)
		}
	case reflect.Struct:
		user := ""
		for i := range v.NumField() {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() {
				continue
			}
			switch name := v.Type().Field(i).Name; {
			case f.Type() == secretType:
				if s := f.String(); s != "" {
					*out = append(*out, s)
				}
			case f.Kind() == reflect.String && (name == "Username" || name == "Email"):
				user = f.String()
			default:
				collectSecrets(f, out)
			}
		}
		// A user and password in one struct travel as Basic auth.
		if p := v.FieldByName("Password"); user != "" && p.IsValid() && p.Type() == secretType && p.String() != "" {
			*out = append(*out, base64.StdEncoding.EncodeToString([]byte(user+":"+p.String())))
		}
	}
}
