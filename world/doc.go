// Package world owns the world file: the YAML (or JSON) description of the
// AWS accounts, users, roles, buckets, KMS keys and organization policies
// that the engine evaluates against and the emulator serves. It decodes the
// file strictly (unknown fields are errors), validates every name and
// policy with errors that give the file and line, compiles the policies
// once, and resolves principal and resource ARNs into authz requests.
//
// docs/world.md documents the format with a full example.
package world
