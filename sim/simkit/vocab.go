package simkit

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is the fault vocabulary the simulators share. Each simulator's own
// Faults type has these faults as fields tagged `fault:"name"` with the
// same names (a vendor's field may be spelled its own way: Mist's RateLimit
// is throttle), beside extras of its own under names of their own. A fault
// is switched by name with SetFault, and a Faults is put into a
// simulator's type with Apply, so one name means one thing everywhere.
type Faults struct {
	Latency     time.Duration `fault:"latency"`      // added before a response
	ErrorRate   float64       `fault:"error_rate"`   // fraction 0..1 of calls answered with ErrorStatus
	ErrorStatus int           `fault:"error_status"` // 0 = 500
	// Throttle refuses every call as the vendor's rate limit does (Prime:
	// 503; the others: 429), without charging it to the limits.
	Throttle   bool          `fault:"throttle"`
	RetryAfter time.Duration `fault:"retry_after"` // with Throttle: the Retry-After sent, in whole seconds, at least 1
	Truncate   bool          `fault:"truncate"`    // half of each 200 body, without a Content-Length, then close
	Malformed  bool          `fault:"malformed"`   // 200 with a body that is not valid JSON
	Oversize   int64         `fault:"oversize"`    // each 200 body padded with spaces to this many bytes
	Reset      bool          `fault:"reset"`       // the connection closed without a response
	// ResetMidBody sends half of each 200 body under its full
	// Content-Length, then drops the connection.
	ResetMidBody  bool `fault:"reset_mid_body"`
	ShrinkTotal   bool `fault:"shrink_total"`   // lists lose a third on pages after the first
	EndlessPaging bool `fault:"endless_paging"` // each page reports one more page; past the end they start over
	// Revoke refuses the credentials once RevokeAfter calls were served
	// since the faults were set.
	Revoke      bool   `fault:"revoke"`
	RevokeAfter int    `fault:"revoke_after"`
	PathPrefix  string `fault:"path_prefix"` // when set, faults apply only to paths with this prefix
}

// faultFields maps a Faults type's fault names to its fields, in field
// order.
type faultFields struct {
	names []string
	index map[string]int
}

var fieldsByType sync.Map // reflect.Type → *faultFields

func fieldsOf(t reflect.Type) *faultFields {
	if ff, ok := fieldsByType.Load(t); ok {
		return ff.(*faultFields)
	}
	ff := &faultFields{index: map[string]int{}}
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("fault")
		if name == "" {
			continue
		}
		if _, dup := ff.index[name]; dup {
			panic(fmt.Sprintf("simkit: %v names fault %q twice", t, name))
		}
		ff.names = append(ff.names, name)
		ff.index[name] = i
	}
	fieldsByType.Store(t, ff)
	return ff
}

// structOf is the struct f is or points at.
func structOf(f any) reflect.Value {
	v := reflect.ValueOf(f)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		panic(fmt.Sprintf("simkit: %T is not a Faults struct", f))
	}
	return v
}

// FaultNames lists the faults a Faults type (or a pointer to one) takes, in
// field order.
func FaultNames(f any) []string {
	return slices.Clone(fieldsOf(structOf(f).Type()).names)
}

// SetFault sets the fault name of *f, a simulator's Faults, from its text:
// a bool takes true/false (on/off, 1/0), a duration Go's 1.5s or 200ms (a
// bare number is milliseconds), the others a number or, for path_prefix,
// the path. An empty value sets a bool to true and error_rate to 1, and
// is refused for the others.
func SetFault(f any, name, value string) error {
	v := structOf(f)
	i, ok := fieldsOf(v.Type()).index[name]
	if !ok {
		return fmt.Errorf("no fault %q (have: %s)", name, strings.Join(FaultNames(f), ", "))
	}
	field := v.Field(i)
	if value == "" {
		switch {
		case field.Kind() == reflect.Bool:
			value = "true"
		case name == "error_rate":
			value = "1"
		default:
			return fmt.Errorf("fault %s needs a value", name)
		}
	}
	if err := parseInto(field, value); err != nil {
		return fmt.Errorf("fault %s: %w", name, err)
	}
	return nil
}

// ClearFault sets the fault name of *f back to its zero value: off.
func ClearFault(f any, name string) error {
	v := structOf(f)
	i, ok := fieldsOf(v.Type()).index[name]
	if !ok {
		return fmt.Errorf("no fault %q (have: %s)", name, strings.Join(FaultNames(f), ", "))
	}
	field := v.Field(i)
	field.Set(reflect.Zero(field.Type()))
	return nil
}

func parseInto(field reflect.Value, s string) error {
	switch {
	case field.Type() == reflect.TypeFor[time.Duration]():
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			field.SetInt(int64(time.Duration(n) * time.Millisecond))
			return nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return fmt.Errorf("%q is not a duration such as 200ms or 2s", s)
		}
		field.SetInt(int64(d))
	case field.Kind() == reflect.Bool:
		switch strings.ToLower(s) {
		case "true", "on", "1", "yes":
			field.SetBool(true)
		case "false", "off", "0", "no":
			field.SetBool(false)
		default:
			return fmt.Errorf("%q is not true or false", s)
		}
	case field.Kind() == reflect.Int || field.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a whole number of 0 or more", s)
		}
		field.SetInt(n)
	case field.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || x < 0 || x > 1 {
			return fmt.Errorf("%q is not a fraction from 0 to 1", s)
		}
		field.SetFloat(x)
	case field.Kind() == reflect.String:
		field.SetString(s)
	default:
		return fmt.Errorf("cannot be set by name (%v)", field.Type())
	}
	return nil
}

// FaultsOn lists the faults of f that are switched on (not zero), by name,
// each as SetFault takes it back.
func FaultsOn(f any) map[string]string {
	v := structOf(f)
	ff := fieldsOf(v.Type())
	out := map[string]string{}
	for _, name := range ff.names {
		field := v.Field(ff.index[name])
		if field.IsZero() {
			continue
		}
		if d, ok := field.Interface().(time.Duration); ok {
			out[name] = d.String()
		} else {
			out[name] = fmt.Sprint(field.Interface())
		}
	}
	return out
}

// Apply copies c into *f, a simulator's Faults, fault by fault; faults of
// f that c does not name keep their value. A shared fault f lacks is an
// error, naming it.
func Apply(f any, c Faults) error {
	if missing := copyFaults(structOf(f), reflect.ValueOf(c)); len(missing) > 0 {
		return fmt.Errorf("%T has no fault %s", f, strings.Join(missing, ", "))
	}
	return nil
}

// CoreOf is the shared faults of f, a simulator's Faults.
func CoreOf(f any) Faults {
	var c Faults
	copyFaults(reflect.ValueOf(&c).Elem(), structOf(f))
	return c
}

// copyFaults copies the faults of src that dst has, and lists those it
// lacks that are on.
func copyFaults(dst, src reflect.Value) (missing []string) {
	df, sf := fieldsOf(dst.Type()), fieldsOf(src.Type())
	for _, name := range sf.names {
		from := src.Field(sf.index[name])
		i, ok := df.index[name]
		if !ok {
			if !from.IsZero() {
				missing = append(missing, name)
			}
			continue
		}
		dst.Field(i).Set(from.Convert(dst.Field(i).Type()))
	}
	return missing
}

// RetryAfter is d as a Retry-After header value: whole seconds, rounded up,
// at least 1.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}
