// Package yamlerr turns the errors of decoding a YAML file into Go types
// (gopkg.in/yaml.v3 with KnownFields) into messages for the person who
// wrote the file: the field as they wrote it, its line, what it belongs to
// in their words, the closest valid field, and a tab named as a tab. No Go
// type name reaches the user.
package yamlerr
