package domain

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Accounts: administrators create users, give them roles (several at once if need be), make
// chain chiefs of them, disable them and reset their passwords; everyone changes their own
// password. Roles are casbin grouping rules and change only through the enforcer's API; every
// change is written to the audit log with who, when, what and from where.

// UserInput is a new user. Roles may be several; Chains are the chain codes a chain chief
// leads; Agency is required for agents (their leads are entrusted to it).
type UserInput struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Email       string   `json:"email"`
	Phone       string   `json:"phone"`
	Password    string   `json:"password"`
	Roles       []Role   `json:"roles"`
	Chains      []string `json:"chains"`
	Agency      string   `json:"agency"`
	// Department is the department code a liaison (role department) belongs to (issue 15).
	Department string `json:"department"`
}

// UserUpdate changes a user; nil fields stay as they are. Roles and Chains, when given,
// replace the whole set.
type UserUpdate struct {
	DisplayName *string   `json:"display_name"`
	Email       *string   `json:"email"`
	Phone       *string   `json:"phone"`
	Roles       *[]Role   `json:"roles"`
	Chains      *[]string `json:"chains"`
	Agency      *string   `json:"agency"`
	Disabled    *bool     `json:"disabled"`
}

// AccountService manages the users of the caller's zone. Every method but ChangePassword
// and Authenticate is for callers the policy allows to manage users (casbin object user);
// users of other zones are ENOTFOUND.
type AccountService interface {
	// Authenticate checks a log-in; any failure (unknown zone or user, wrong password,
	// disabled) is the same EUNAUTH after the same amount of work, so that neither the
	// answer nor its timing tells whether the user exists. zoneCode "" is the default zone.
	Authenticate(ctx context.Context, zoneCode, username, password string) (*User, *Zone, error)
	FindAccounts(ctx context.Context) ([]*User, error)
	FindAccount(ctx context.Context, id int64) (*User, error)
	// CreateAccount fails with ECONFLICT for a taken username, EINVALID for bad fields or a
	// password the policy refuses.
	CreateAccount(ctx context.Context, in UserInput) (*User, error)
	// UpdateAccount changes fields, roles and chains; disabling revokes every session. An
	// administrator may not disable themselves or drop their own admin role (ERULE).
	UpdateAccount(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// ResetPassword sets a user's password and revokes every session of theirs.
	ResetPassword(ctx context.Context, id int64, password string) error
	// ChangePassword changes the caller's own password after checking the current one
	// (EINVALID on field current when wrong) and revokes every session of theirs.
	ChangePassword(ctx context.Context, current, next string) error
}

// AuditEntry is one line of the append-only audit log.
type AuditEntry struct {
	ID     int64     `json:"id"`
	ZoneID int64     `json:"-"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`  // username, or the name tried at a failed log-in, or "system"
	Action string    `json:"action"` // see the Audit* constants
	Object string    `json:"object"` // what it was done to: "user:12", "GET /api/v1/users", …
	Detail string    `json:"detail"` // a JSON object with the particulars
	IP     string    `json:"ip"`
}

// Audit actions.
const (
	AuditLogin          = "login"           // a successful log-in
	AuditLoginFailed    = "login_failed"    // wrong user, password, zone, or a disabled user
	AuditLoginThrottled = "login_throttled" // refused with 429 before checking anything
	AuditLogout         = "logout"
	AuditForbidden      = "forbidden" // a refused request (403)
	AuditPasswordChange = "password_changed"
	AuditPasswordReset  = "password_reset"
	AuditUserCreate     = "user_created"
	AuditUserUpdate     = "user_updated"
	AuditUserDisable    = "user_disabled"
	AuditUserEnable     = "user_enabled"
	AuditRoleGrant      = "role_granted"
	AuditRoleRevoke     = "role_revoked"
	AuditChiefAssign    = "chain_chief_assigned"
	AuditChiefUnassign  = "chain_chief_unassigned"
	AuditPolicyAdd      = "policy_added"
	AuditTokenCreate    = "token_created" // an integration token was made
	AuditTokenRevoke    = "token_revoked"
	AuditTokenUse       = "token_used" // the first use of a token in a day
)

// AuditFilter narrows the audit log.
type AuditFilter struct {
	Actor  *string
	Action *string
	Page
}

// AuditService writes and reads the audit log. There is deliberately no way to change or
// remove an entry (the database refuses it too).
type AuditService interface {
	// Record appends e in the caller's zone (or e.ZoneID when there is no caller, as at a
	// failed log-in), stamping the time.
	Record(ctx context.Context, e AuditEntry) error
	// FindAudit lists the caller's zone's entries, newest first.
	FindAudit(ctx context.Context, f AuditFilter) ([]*AuditEntry, int, error)
}

var validUsername = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$`)

// Validate checks a new user; Password is checked against the rules of CheckPassword (the
// account service adds the zone's words and the strength estimate).
func (in *UserInput) Validate() error {
	in.Username = strings.TrimSpace(in.Username)
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.TrimSpace(in.Phone)
	in.Agency = strings.TrimSpace(in.Agency)
	fe := FieldErrors{}
	if !validUsername.MatchString(in.Username) {
		fe.Add("username", "用户名为 2–64 个字母、数字或 _ . - (2–64 letters, digits, _ . -)")
	}
	if strings.EqualFold(in.Username, "system") {
		fe.Add("username", "该用户名为系统保留 (reserved)")
	}
	checkAccountFields(fe, &in.DisplayName, &in.Email, &in.Phone, &in.Agency)
	if msg := CheckPassword(in.Password, PasswordContext{Username: in.Username, DisplayName: in.DisplayName}); msg != "" {
		fe.Add("password", msg)
	}
	checkRoles(fe, in.Roles, in.Chains, in.Agency)
	CheckLimits(fe, in)
	in.Department = strings.TrimSpace(in.Department)
	hasDept := false
	for _, r := range in.Roles {
		hasDept = hasDept || r == RoleDepartment
	}
	switch {
	case hasDept && in.Department == "":
		fe.Add("department", "部门联络员必须指定所属部门 (liaisons need a department)")
	case !hasDept && in.Department != "":
		fe.Add("department", "只有部门联络员属于部门 (only liaisons belong to a department)")
	}
	return fe.Err()
}

// Validate checks an update against the user as it is now (cur), since the rules for
// chains and agency depend on the roles the user will hold.
func (u *UserUpdate) Validate(cur *User) error {
	fe := FieldErrors{}
	name, email, phone, agency := cur.DisplayName, cur.Email, cur.Phone, cur.Agency
	if u.DisplayName != nil {
		name = strings.TrimSpace(*u.DisplayName)
		u.DisplayName = &name
	}
	if u.Email != nil {
		email = strings.TrimSpace(*u.Email)
		u.Email = &email
	}
	if u.Phone != nil {
		phone = strings.TrimSpace(*u.Phone)
		u.Phone = &phone
	}
	if u.Agency != nil {
		agency = strings.TrimSpace(*u.Agency)
		u.Agency = &agency
	}
	checkAccountFields(fe, &name, &email, &phone, &agency)
	roles, chains := cur.Roles, cur.Chains
	if u.Roles != nil {
		roles = *u.Roles
	}
	if u.Chains != nil {
		chains = *u.Chains
	}
	if u.Roles != nil || u.Chains != nil || u.Agency != nil {
		checkRoles(fe, roles, chains, agency)
	}
	CheckLimits(fe, u)
	return fe.Err()
}

func checkAccountFields(fe FieldErrors, name, email, phone, agency *string) {
	switch n := len([]rune(*name)); {
	case n == 0:
		fe.Add("display_name", "必填 (required)")
	case n > 100:
		fe.Add("display_name", "最多 100 个字符 (at most 100 characters)")
	}
	if a, err := mail.ParseAddress(*email); err != nil || a.Address != *email || len(*email) > 200 {
		fe.Add("email", "请填写有效的电子邮箱 (a valid e-mail address)")
	}
	if len([]rune(*phone)) > 50 {
		fe.Add("phone", "最多 50 个字符 (at most 50 characters)")
	}
	if len([]rune(*agency)) > 200 {
		fe.Add("agency", "最多 200 个字符 (at most 200 characters)")
	}
}

func checkRoles(fe FieldErrors, roles []Role, chains []string, agency string) {
	if len(roles) == 0 {
		fe.Add("roles", "至少指定一个角色 (at least one role)")
	}
	seen := map[Role]bool{}
	for _, r := range roles {
		switch {
		case r == RoleProvince || r == RolePlatformAdmin:
			fe.Add("roles", "省市级账号不属于开发区，只能由平台用命令 chaincrm user create 创建 (province users are created on the command line)")
		case !r.Valid():
			fe.Add("roles", "未知的角色："+string(r)+" (unknown role)")
		}
		seen[r] = true
	}
	if len(chains) > 0 && !seen[RoleChainChief] {
		fe.Add("chains", "只有链长可以分管产业链 (only chain chiefs lead chains)")
	}
	if seen[RoleAgent] && agency == "" {
		fe.Add("agency", "委托招商机构必须填写机构名称 (agents need an agency)")
	}
}

// CanGrantRole: only administrators give or take the administrator role, so that whoever
// else the policy lets manage users cannot raise themselves.
func CanGrantRole(a *Actor, r Role) bool {
	return r != RoleAdmin || IsAdmin(a)
}
