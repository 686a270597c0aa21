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

	"github.com/laiyuan-edz/chaincrm/chainmap"
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
	out := []route{
		{Method: http.MethodGet, Path: v1 + "/platform/zones", Obj: "platform", Act: "read",
			Summary: "The zones granted to the caller (province users)", Out: platformZones{}, Handler: s.platformZones},
		{Method: http.MethodGet, Path: v1 + "/platform/overview", Obj: "platform", Act: "read",
			Summary: "Each granted zone's figures of the year side by side (docked by channel and stage, signings and their planned investment), as each zone's own /stats/overview counts them, and their total",
			Query:   yearQuery{}, Out: domain.PlatformOverview{}, Handler: s.platformOverview},
		{Method: http.MethodGet, Path: v1 + "/platform/chains", Obj: "platform", Act: "read",
			Summary: "The chains of the same code compared across the granted zones: nodes, the year's dockings and signings per zone",
			Query:   yearQuery{}, Out: domain.PlatformChains{}, Handler: s.platformChains},
		{Method: http.MethodGet, Path: v1 + "/platform/ranking", Obj: "platform", Act: "read",
			Summary: "The granted zones ranked by the year's dockings, signings or signed investment (?by=docked|signed|investment); equal figures share a rank",
			Query:   rankingQuery{}, Out: domain.PlatformRanking{}, Handler: s.platformRanking},
	}
	// The platform administrator's (role platform_admin): every zone, the platform's users
	// and the province users' grants.
	out = append(out,
		route{Method: http.MethodGet, Path: v1 + "/platform/admin/zones", Obj: "platform", Act: "admin",
			Summary: "Every zone (platform administrators): code, name, time zone, kind, users, projects and grants, with its creation time",
			Out:     itemList[*domain.PlatformAdminZone]{}, Handler: s.platformAdminZones},
		route{Method: http.MethodGet, Path: v1 + "/platform/admin/users", Obj: "platform", Act: "admin",
			Summary: "The platform's users (province users with their zones, platform administrators)",
			Out:     itemList[*domain.PlatformUser]{}, Handler: s.platformAdminUsers},
		route{Method: http.MethodGet, Path: v1 + "/platform/admin/users/:id/grants", Obj: "platform", Act: "admin",
			Summary: "A province user's zones", Out: domain.PlatformGrants{}, Handler: s.platformGrants},
		route{Method: http.MethodPut, Path: v1 + "/platform/admin/users/:id/grants", Obj: "platform", Act: "admin",
			Summary:     "Replace a province user's zones (grant and revoke); each zone granted or revoked is audited in its own log (zone_granted, zone_revoked)",
			Description: "The body lists every zone the user is to read; [] revokes all. An unknown zone is refused (400 naming it) and nothing changes.",
			Body:        domain.PlatformGrantsInput{}, Out: domain.PlatformGrants{}, Handler: s.setPlatformGrants},
	)
	// Each granted zone's own pages, read-only (issue 19): the zone's read routes under
	// /platform/zones/{zone}/…, answered by the very handlers of the zone's own routes with
	// the zone's whole read scope (its viewer role). An ungranted zone is 404.
	for _, z := range []struct {
		path, summary string
		query, out    any
		files         []string
		h             gin.HandlerFunc
	}{
		{"/stats/overview", "A granted zone's dashboard figures of a year (its GET /stats/overview as the zone's viewer reads it): docked by channel, stage and chain, the stage funnel, signings", yearQuery{}, domain.Overview{}, nil, s.overview},
		{"/stats/service", "A granted zone's service figures of a year (企业诉求: received, resolved, overdue …), as its GET /stats/service", yearQuery{}, domain.ServiceStats{}, nil, s.serviceStats},
		{"/indicators", "A granted zone's monthly economic indicators of a year (经济指标), as its GET /indicators", yearQuery{}, indicatorYear{}, nil, s.listIndicators},
		{"/projects", "A granted zone's projects, with the filters and paging of its GET /projects", projectListQuery{}, page[*domain.Project]{}, nil, s.listProjects},
		{"/projects/:id", "One project of a granted zone", nil, domain.Project{}, nil, s.getProject},
		{"/projects/:id/activities", "A project's activities in a granted zone", nil, itemList[*domain.Activity]{}, nil, s.listActivities},
		{"/projects/:id/history", "Every change of a project in a granted zone", nil, []*domain.HistoryEntry{}, nil, s.projectHistory},
		{"/chains", "A granted zone's industry chains", nil, []*domain.Chain{}, nil, s.listChains},
		{"/chains/:code/map", "A granted zone's chain map with node status and gaps", nil, chainmap.Map{}, nil, s.chainMap},
		{"/chains/:code/map.svg", "A granted zone's chain map as printable SVG", svgQuery{}, nil, []string{mediaSVG}, s.chainMapSVG},
	} {
		out = append(out, route{Method: http.MethodGet, Path: v1 + "/platform/zones/:zone" + z.path, Obj: "platform", Act: "read",
			Summary: z.summary, Query: z.query, Out: z.out, Files: z.files, Handler: s.inGrantedZone(z.h)})
	}
	return out
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

// rankingQuery picks the year and the figure of a ranking.
type rankingQuery struct {
	yearQuery
	By string `query:"by" enum:"docked,signed,investment" default:"docked" description:"docked (对接项目, default), signed (签约项目) or investment (签约投资, 万元)"`
}

func (s *Server) platformRanking(c *gin.Context) {
	year, err := s.yearParam(c)
	if err != nil {
		Abort(c, err)
		return
	}
	by := c.DefaultQuery("by", "docked")
	if !slices.Contains(domain.PlatformRankings, by) {
		_, err := domain.RankZones(&domain.PlatformOverview{}, by)
		Abort(c, err)
		return
	}
	o, err := s.svc.Platform.Overview(c.Request.Context(), year)
	if err != nil {
		Abort(c, err)
		return
	}
	r, err := domain.RankZones(o, by)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) platformAdminZones(c *gin.Context) {
	zones, err := s.svc.PlatformAdmin.AdminZones(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, itemList[*domain.PlatformAdminZone]{Items: zones, Total: len(zones)})
}

func (s *Server) platformAdminUsers(c *gin.Context) {
	users, err := s.svc.PlatformAdmin.PlatformUsers(c.Request.Context())
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, itemList[*domain.PlatformUser]{Items: users, Total: len(users)})
}

func (s *Server) platformGrants(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	g, err := s.svc.PlatformAdmin.Grants(c.Request.Context(), id)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *Server) setPlatformGrants(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in domain.PlatformGrantsInput
	if err := decodeJSON(c, &in); err != nil {
		Abort(c, err)
		return
	}
	if in.Zones == nil {
		Abort(c, &domain.Error{Code: domain.EINVALID, Message: "请列出授权的开发区 (zones required)", Fields: map[string]string{"zones": "必填，[] 表示全部收回 (required; [] revokes all)"}})
		return
	}
	g, err := s.svc.PlatformAdmin.SetGrants(c.Request.Context(), id, in.Zones)
	if err != nil {
		Abort(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

// inGrantedZone answers h as the zone {zone} of the path would answer its own viewer: the
// caller must have been granted the zone (else 404, as for a zone that does not exist), and
// the request then acts in that zone with the viewer role, the zone's whole read scope and
// no write. The caller stays themself (their id and name) for the logs; the platform's
// read-only gate (provinceReadOnly) has already run on their own roles.
func (s *Server) inGrantedZone(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		a := domain.ActorFrom(ctx)
		zones, err := s.svc.Platform.GrantedZones(ctx)
		if err != nil {
			Abort(c, err)
			return
		}
		i := slices.IndexFunc(zones, func(z *domain.Zone) bool { return z.Code == c.Param("zone") })
		if i < 0 || a == nil || a.User == nil {
			Abort(c, domain.NotFound("开发区"))
			return
		}
		v := *a.User
		v.ZoneID = zones[i].ID
		v.Roles = []domain.Role{domain.RoleViewer}
		v.Chains, v.ChainIDs, v.Department, v.DepartmentID = nil, nil, nil, nil
		c.Request = c.Request.WithContext(domain.WithActor(ctx, &domain.Actor{User: &v, Zone: zones[i], IP: a.IP}))
		h(c)
	}
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
