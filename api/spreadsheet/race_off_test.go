//go:build !race

package spreadsheet

const raceEnabled = false
