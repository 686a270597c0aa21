// Ends the run with the plain line "N passed, M failed" (", K skipped" when some were), as the
// old runner did and as CI reads it. A test that passed on a retry counts as passed (and flaky).
export default class SummaryReporter {
  onBegin(config, suite) { this.suite = suite }
  printsToStdio() { return true }
  onEnd(result) {
    let passed = 0, failed = 0, skipped = 0, flaky = 0
    for (const t of this.suite.allTests()) {
      const o = t.outcome()
      if (o === 'expected') passed++
      else if (o === 'flaky') { passed++; flaky++ }
      else if (o === 'skipped') skipped++
      else failed++
    }
    if (result.status !== 'passed' && !failed) failed = 1 // the run itself failed (web server, timeout)
    if (flaky) console.log(`${flaky} flaky: passed on a retry`)
    console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
  }
}
