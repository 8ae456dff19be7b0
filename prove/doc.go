// Package prove shows that a plan's permissions are sufficient and each
// one necessary, with the real client: it serves a world with the planned
// policies on the emulator, runs the command on test data that takes every
// planned path (small and multipart objects, deletes), checks the result
// byte for byte, then removes each permission in turn and runs again; a
// permission is necessary only if the client then fails. This is the seed
// 000 experiment, automated.
package prove
