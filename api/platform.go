package api

// The provincial platform (issue 19, docs/platform.md): province users (role province,
// kept in the platform's own row of zones) read the figures of the zones granted to them
// side by side, and never write. Their scope in every zone route is empty and casbin gives
// their role only the platform's routes and their own session; provinceReadOnly refuses
// every state-changing request of theirs but log-out and their own password and settings.

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// platformZones lists the zones a province user reads.
type platformZones struct {
	Items []platformZoneItem `json:"items"`
}

type platformZoneItem struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone"`
}

func (s *Server) platformRoutes() []route {
	return []route{
		{Method: http.MethodGet, Path: v1 + "/platform/zones", Obj: "platform", Act: "read",
			Summary: "The zones granted to the caller (province users)", Out: platformZones{}, Handler: s.platformZones},
		{Method: http.MethodGet, Path: v1 + "/platform/overview", Obj: "platform", Act: "read",
			Summary: "Each granted zone's figures of the year side by side (docked by channel and stage, signings and their planned investment), as each zone's own /stats/overview counts them, and their total",
			Query:   yearQuery{}, Out: domain.PlatformOverview{}, Handler: s.platformOverview},
		{Method: http.MethodGet, Path: v1 + "/platform/chains", Obj: "platform", Act: "read",
			Summary: "The chains of the same code compared across the granted zones: nodes, the year's dockings and signings per zone",
			Query:   yearQuery{}, Out: domain.PlatformChains{}, Handler: s.platformChains},
	}
}

func (s *Server) platformZones(c *gin.Context) {
	zones, err := s.svc.Platform.GrantedZones(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	out := platformZones{Items: make([]platformZoneItem, 0, len(zones))}
	for _, z := range zones {
		out.Items = append(out.Items, platformZoneItem{Code: z.Code, Name: z.Name, TimeZone: z.TimeZone})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) platformOverview(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	o, err := s.svc.Platform.Overview(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

func (s *Server) platformChains(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	o, err := s.svc.Platform.Chains(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, o)
}

// provinceOwnRoutes are the state-changing requests a province user may make: they touch
// only the caller's own session and account, never a zone's data.
var provinceOwnRoutes = map[string]bool{
	"POST " + v1 + "/auth/logout":  true,
	"POST " + v1 + "/me/password":  true,
	"PATCH " + v1 + "/me/settings": true,
}

// provinceReadOnly refuses (403) every other state-changing request of a province user,
// whatever casbin says: the platform reads, the zones write.
func provinceReadOnly(c *gin.Context, u *domain.User) error {
	if stateChanging(c.Request.Method) && slices.Contains(u.Roles, domain.RoleProvince) &&
		!provinceOwnRoutes[c.Request.Method+" "+c.FullPath()] {
		return domain.Errorf(domain.EFORBIDDEN, "省市级账号只能查看，不能修改开发区的数据 (province users read only)")
	}
	return nil
}
