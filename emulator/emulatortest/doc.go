// Package emulatortest starts lockstep's enforcing S3 emulator for Go
// tests, as net/http/httptest starts an HTTP server: one call serves a
// world (a world file, or a world built in Go) on 127.0.0.1 at a free
// port, and Config gives an AWS SDK for Go v2 configuration that signs as
// any user or role of that world. Every request is authorized as AWS
// would authorize it, so a test sees the AccessDenied its code would get
// in production.
//
//	srv := emulatortest.NewServerFile("testdata/world.yaml")
//	defer srv.Close()
//	cfg, err := srv.Config(ctx, "arn:aws:iam::111111111111:user/alice")
//	client := s3.NewFromConfig(cfg, srv.S3Options)
//
// docs/world.md describes world files; docs/emulator.md what the emulator
// serves.
package emulatortest
