// Package scenario runs the seed experiments step by step: a scenario file
// holds a world, the principal that runs a client command, and steps that
// each add policies and list the API calls the command makes with the
// outcome the experiment observed (which call fails, on which permission).
// Every call is authorized through package enforce, so a scenario replays
// on the engine exactly what the emulator will enforce. The seeds live
// under examples/; `make demo` prints seed 000 with Render.
package scenario
