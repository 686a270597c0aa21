package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// RobotTester sends a robot's test message at once (jobs.Service, through the outbox).
type RobotTester interface {
	DeliverRobotNow(ctx context.Context, outboxID int64) (*domain.RobotTestResult, error)
}

// robotRoutes: the zone's group robots (群机器人, issue 16), administrators only. The
// webhook's host must be on the deployment's allow-list (Options.Robots); the secret is
// write-only.
func (s *Server) robotRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/robots", Obj: "robot", Act: "manage", Summary: "The zone's group robots (WeCom 企业微信, DingTalk 钉钉), secrets never shown (administrators)",
			Out: itemList[*domain.Robot]{}, Handler: s.listRobots},
		{Method: http.MethodPost, Path: v1 + "/robots", Obj: "robot", Act: "manage", Summary: "Add a group robot for the whole zone (chain null) or one chain (administrators)",
			Description: `{"kind":"wecom"|"dingtalk","name","webhook","secret"?,"chain": code|null,"events":[…]}; events ⊆ decision_waiting, supervision, request_overdue, daily_summary, weekly_digest. The webhook must be https:// (http:// only with CHAINCRM_ROBOTS_ALLOW_HTTP=true) on a host listed in CHAINCRM_ROBOTS_ALLOWED_HOSTS, else 400.`,
			Body:        domain.RobotInput{}, Out: domain.Robot{}, Status: http.StatusCreated, Handler: s.createRobot},
		{Method: http.MethodGet, Path: v1 + "/robots/:id", Obj: "robot", Act: "manage", Summary: "One group robot (administrators)",
			Out: domain.Robot{}, Handler: s.getRobot},
		{Method: http.MethodPatch, Path: v1 + "/robots/:id", Obj: "robot", Act: "manage", Summary: `Edit a group robot: the fields given change ("secret": "" removes the secret, "chain": null makes it zone-wide)`,
			Body: domain.RobotInput{}, Out: domain.Robot{}, Handler: s.updateRobot},
		{Method: http.MethodDelete, Path: v1 + "/robots/:id", Obj: "robot", Act: "manage", Summary: "Remove a group robot; its undelivered messages become dead letters",
			Status: http.StatusNoContent, Handler: s.deleteRobot},
		{Method: http.MethodPost, Path: v1 + "/robots/:id/test", Obj: "robot", Act: "manage", Summary: "Send a test message to the robot's group now (through the outbox); answers how it went",
			Out: domain.RobotTestResult{}, Errors: []int{http.StatusUnprocessableEntity}, Handler: s.testRobot},
	}
}

func (s *Server) robots(c *gin.Context) (domain.RobotService, bool) {
	if s.svc.Robots == nil {
		Abort(c, domain.Errorf(domain.EINTERNAL, "robots not configured"))
		return nil, false
	}
	return s.svc.Robots, true
}

func (s *Server) listRobots(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	v, err := rs.FindRobots(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, listOf(v))
}

func (s *Server) getRobot(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	v, err := rs.FindRobot(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) createRobot(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	var in domain.RobotInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	if err := in.Validate(true, s.opts.Robots); err != nil {
		Abort(c, err)
		return
	}
	v, err := rs.CreateRobot(c.Request.Context(), in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) updateRobot(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.RobotInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	in.ChainSet = in.Chain != nil
	if err := in.Validate(false, s.opts.Robots); err != nil {
		Abort(c, err)
		return
	}
	v, err := rs.UpdateRobot(c.Request.Context(), id, in)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) deleteRobot(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	if err := rs.DeleteRobot(c.Request.Context(), id); err != nil {
		Abort(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) testRobot(c *gin.Context) {
	rs, ok := s.robots(c)
	if !ok {
		return
	}
	id, ok := pathID(c)
	if !ok {
		return
	}
	tester, _ := s.svc.Jobs.(RobotTester)
	if tester == nil {
		Abort(c, domain.Errorf(domain.EINTERNAL, "robot delivery not configured"))
		return
	}
	// The test outlives a client that goes away: the message is claimed and must be marked.
	ctx := context.WithoutCancel(c.Request.Context())
	outID, err := rs.EnqueueRobotTest(ctx, id)
	if err != nil {
		Abort(c, err)
		return
	}
	res, err := tester.DeliverRobotNow(ctx, outID)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func splitHosts(s string) ([]string, error) {
	p, err := domain.ParseRobotPolicy(s, false, "")
	return p.AllowedHosts, err
}
