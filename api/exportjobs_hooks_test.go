package api

import "context"

// Test hooks of the background exports, visible to package api_test (this file is compiled
// only into the tests).

// SetExportRowHook makes every export job call fn after each row it writes (nil: none). Set
// it before starting the jobs it should see.
func (s *Server) SetExportRowHook(fn func(ctx context.Context, jobID string, rows int64)) {
	s.exports.mu.Lock()
	s.exports.rowHook = fn
	s.exports.mu.Unlock()
}

// WaitExportJobs waits until the goroutine of every export job started so far, cancelled
// ones included, has finished.
func (s *Server) WaitExportJobs() { s.exports.running.Wait() }
