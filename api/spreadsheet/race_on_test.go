//go:build race

package spreadsheet

// raceEnabled shrinks the big-file test: the race detector slows excelize's XML decoding
// about tenfold, and the big file's point (bounded memory, speed) is the benchmark's.
const raceEnabled = true
