// Package examples holds the seed experiments as scenario files
// (seed000-s3-sync.yaml, ...), each reproducing one document of
// ../shared/seeds step by step, and embeds them so that `lockstep demo`
// runs with no files at hand.
package examples

import "embed"

// Files holds every scenario file of this directory.
//
//go:embed *.yaml
var Files embed.FS
