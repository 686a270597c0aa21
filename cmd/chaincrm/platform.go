package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
)

// platformFlags are the flags of zone create and user create (issue 19).
type platformFlags struct {
	Name, TimeZone, Role, Password, Email, DisplayName, Zones *string
	Chains, Template                                          *string // zone create: chains from templates
	// ZonesSet: --zones was given (its default serves seed --synthetic).
	ZonesSet bool
}

// zoneCommand: chaincrm zone create CODE --name NAME [--time-zone TZ] [--password P]
// [--chains C1,C2 | --template T]. The zone's chains, when asked for, are the templates'
// (the demo zone's chains and node trees, repository.ResolveChainTemplates), written in the
// zone's transaction; an unknown name writes nothing. The zone's administrator "admin" gets --password (which must pass the policy) or a generated
// password printed this once; either must be changed at the first log-in, as the first-run
// administrator's (docs/security.md).
func (m *Main) zoneCommand(ctx context.Context, args []string, f platformFlags) error {
	if len(args) != 2 || args[0] != "create" {
		return fmt.Errorf("usage: chaincrm zone create CODE --name NAME [--time-zone TZ] [--password P] [--chains C1,C2 | --template laiyuan]")
	}
	var list []string
	if *f.Chains != "" {
		list = strings.Split(*f.Chains, ",")
	}
	chains, err := repository.ResolveChainTemplates(*f.Template, list)
	if err != nil {
		return cliError(err)
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	in := domain.ZoneInput{Code: args[1], Name: *f.Name, TimeZone: *f.TimeZone}
	run, err := m.DB.CreateZone(ctx, in, *f.Password, m.DB.AuditedRoles(m.Enforcer), chains...)
	if err != nil {
		return cliError(err)
	}
	if err := m.ensurePolicies(ctx); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "已创建开发区 %s（%s），时区 %s，及其管理员 zone and administrator created\n", run.Zone.Name, run.Zone.Code, run.Zone.TimeZone)
	if len(run.Chains) > 0 {
		fmt.Fprintf(m.Stdout, "  产业链 chains: %s（含环节 with their nodes）\n", strings.Join(run.Chains, ", "))
	}
	fmt.Fprintf(m.Stdout, "  登录 log in: {\"zone\": %q, \"username\": %q}\n", run.Zone.Code, run.Admin)
	if run.Generated {
		fmt.Fprintf(m.Stdout, "  初始密码 first password: %s\n", run.Password)
		fmt.Fprintln(m.Stdout, "  此密码只显示这一次，首次登录后必须修改 (shown this once; change it at the first log-in)")
	} else {
		fmt.Fprintln(m.Stdout, "  初始密码为 --password 所设，首次登录后必须修改 (the password given; change it at the first log-in)")
	}
	return nil
}

// userCommand: chaincrm user create USERNAME --role province --zones Z1,Z2 --password P.
func (m *Main) userCommand(ctx context.Context, args []string, f platformFlags) error {
	if len(args) != 2 || args[0] != "create" {
		return fmt.Errorf("usage: chaincrm user create USERNAME --role province --zones Z1,Z2 --password P [--email E] [--display-name NAME]\n       chaincrm user create USERNAME --role platform_admin --password P")
	}
	role := domain.Role(*f.Role)
	if role != domain.RoleProvince && role != domain.RolePlatformAdmin {
		return fmt.Errorf("user create: --role province or platform_admin are the only roles made on the command line (%q); a zone's users are made by its administrator in the web app", *f.Role)
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	email := *f.Email
	if email == "" {
		email = args[1] + "@localhost"
	}
	in := domain.ProvinceUserInput{Role: role, Username: args[1], DisplayName: *f.DisplayName, Email: email, Password: *f.Password}
	if f.ZonesSet {
		in.Zones = strings.Split(*f.Zones, ",")
	}
	def := ""
	if codes, err := m.DB.ZoneCodes(ctx); err != nil {
		return err
	} else if len(codes) > 0 {
		def = codes[0]
	}
	u, err := m.DB.CreateProvinceUser(ctx, in, def, m.DB.AuditedRoles(m.Enforcer))
	if err != nil {
		return cliError(err)
	}
	if err := m.ensurePolicies(ctx); err != nil {
		return err
	}
	if role == domain.RolePlatformAdmin {
		fmt.Fprintf(m.Stdout, "已创建平台管理员 %s platform administrator created\n", u.Username)
	} else {
		fmt.Fprintf(m.Stdout, "已创建省市级用户 %s，可查看开发区 province user created, reading: %s\n", u.Username, strings.Join(in.Zones, ", "))
	}
	fmt.Fprintf(m.Stdout, "  登录时只需用户名和密码，不选开发区 (log in with username and password, no zone)\n")
	return nil
}

// cliError spells out a domain error's field messages on the command line.
func cliError(err error) error {
	e, ok := err.(*domain.Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(e.Message)
	for field, why := range e.Fields {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(field, "_", "-"), why)
	}
	return fmt.Errorf("%s", b.String())
}
