package workerclient

import "reflect"

// newOf returns a new *T for the pointer type t gogoproto registers.
func newOf(t reflect.Type) any {
	if t.Kind() == reflect.Pointer {
		return reflect.New(t.Elem()).Interface()
	}
	return reflect.New(t).Interface()
}
