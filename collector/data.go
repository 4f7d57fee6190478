package collector

import "github.com/nmsexporter/nms_exporter/model"

// Data is every collection's last good data as of one version of a
// source's cache: what a render reads.
type Data struct {
	entries map[string]entry
	live    map[string]model.DeviceState // see LiveDevices
}

// Key names a collection whose data is a T, so that a vendor reads it back
// as the T its client returned.
type Key[T any] struct{ name string }

// NewKey names a collection of T.
func NewKey[T any](name string) Key[T] { return Key[T]{name} }

// Name is the collection's name, as the config spells it.
func (k Key[T]) Name() string { return k.name }

// Get returns the last good data of the collection k names; ok is false
// while it has none. A collection made by collect holds only the T of its
// key, restored state included, so a key never meets another type.
func Get[T any](d Data, k Key[T]) (v T, ok bool) {
	v, ok = d.entries[k.name].data.(T)
	return v, ok
}
