package repository_test

// Issue 12's security regression suite, the repository's part: the log-in throttle shared
// by replicas, the password policy with its strength estimate, the first-run zone.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/repository"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Two replicas on one database hammer one pair at once: the limit holds across both (no
// read-modify-write race), one refusal is audited, and when the window is over both clean
// up at once and the refusals' total is written exactly once.
func TestSecurityAuthThrottleSharedByReplicas(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock := &fixedClock{t: time.Date(2023, 1, 16, 2, 3, 0, 0, time.UTC)}
			db1 := dbtest.Migrated(t, driver, repository.Options{})
			db2 := dbtest.Reopen(t, db1)
			db1.Clock, db2.Clock = clock, clock
			policy := domain.DefaultThrottlePolicy
			replicas := []*repository.ThrottleService{repository.NewThrottleService(db1, policy), repository.NewThrottleService(db2, policy)}
			attempt := func() *domain.LoginAttempt {
				return &domain.LoginAttempt{ZoneID: 1, Zone: "laiyuan", Username: "Recruiter1", IP: "203.0.113.9", Purpose: "login"}
			}
			const n = 40
			var mu sync.Mutex
			allowed, first := 0, 0
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(r *repository.ThrottleService) {
					defer wg.Done()
					v, err := r.Begin(ctx, attempt())
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if !v.Refused() {
						allowed++
					} else if v.FirstRefusal {
						first++
					}
					if v.Refused() && (v.Kind != domain.ThrottlePair || v.RetryAfter != 12*time.Minute) {
						t.Errorf("verdict %+v", v)
					}
				}(replicas[i%2])
			}
			wg.Wait()
			if allowed < 1 || allowed > policy.PairLimit || first != 1 {
				t.Fatalf("%d concurrent attempts: %d allowed (limit %d), %d first refusals", n, allowed, policy.PairLimit, first)
			}
			var failures, refused int
			db1.Gorm().Table("auth_throttle").Where("kind = 'pair'").Select("failures").Scan(&failures)
			db1.Gorm().Table("auth_throttle").Where("kind = 'pair'").Select("refused").Scan(&refused)
			if failures != allowed || refused != n-allowed {
				t.Errorf("pair row: %d failures, %d refused; want %d, %d", failures, refused, allowed, n-allowed)
			}
			// the name is stored lower-cased: an administrator's unlock finds it
			n2, err := replicas[1].Unlock(ctx, &domain.User{ID: 7, ZoneID: 1, Username: "recruiter1"}, "LAIYUAN")
			if err != nil || n2 != 2 { // the pair and the name
				t.Errorf("unlock: %d, %v", n2, err)
			}
			if v, _ := replicas[0].Begin(ctx, attempt()); v.Refused() {
				t.Errorf("refused after the unlock: %+v", v)
			}
			// a known place is remembered for 90 days, then forgotten
			if err := replicas[0].Succeeded(ctx, attempt()); err != nil {
				t.Fatal(err)
			}
			clock.Add(16 * time.Minute)
			var wg2 sync.WaitGroup
			for _, r := range replicas {
				wg2.Add(1)
				go func() {
					defer wg2.Done()
					if err := r.Sweep(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg2.Wait()
			var totals []struct{ Actor, Detail string }
			db1.Gorm().Table("audit_log").Where("action = ?", domain.AuditLoginThrottledTotal).Find(&totals)
			if len(totals) != 1 || totals[0].Actor != "recruiter1" || !strings.Contains(totals[0].Detail, `"key":"pair"`) {
				t.Errorf("totals: %+v", totals)
			}
			var rows, places int64
			db1.Gorm().Table("auth_throttle").Count(&rows)
			db1.Gorm().Table("auth_places").Count(&places)
			if rows != 0 || places != 1 {
				t.Errorf("after the sweep: %d counters, %d places", rows, places)
			}
			clock.Add(91 * 24 * time.Hour)
			if err := replicas[1].Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			db1.Gorm().Table("auth_places").Count(&places)
			if places != 0 {
				t.Errorf("a place unused for 91 days is kept")
			}
		})
	}
}

func TestSecurityAuthAddressKeys(t *testing.T) {
	for ip, want := range map[string]string{
		"203.0.113.9":              "203.0.113.9",
		"::ffff:203.0.113.9":       "203.0.113.9",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":     "2001:db8:1:2::/64",
		"not an address (a proxy)": "not an address (a proxy)",
	} {
		if got := domain.AddressKey(ip); got != want {
			t.Errorf("AddressKey(%s) = %s, want %s", ip, got, want)
		}
	}
	if domain.PlaceKey("192.0.2.77") != domain.PlaceKey("192.0.2.10") || domain.PlaceKey("192.0.3.10") == domain.PlaceKey("192.0.2.10") {
		t.Error("places are /24 networks")
	}
	p := domain.DefaultThrottlePolicy
	at := time.Date(2023, 1, 16, 2, 14, 59, 500e6, time.UTC)
	if p.WindowStart(at) != time.Date(2023, 1, 16, 2, 0, 0, 0, time.UTC).Unix() || p.RetryAfter(at) != time.Second {
		t.Errorf("window of %v: %d, retry after %v", at, p.WindowStart(at), p.RetryAfter(at))
	}
}

// The passwords of finding 9 and their kin are refused by the whole policy, with a
// Chinese message; good passphrases pass.
func TestSecurityAuthPasswordStrength(t *testing.T) {
	pc := domain.PasswordContext{Username: "li.wei", DisplayName: "李伟", ZoneCode: "laiyuan", ZoneName: "河北涞源经济开发区"}
	for _, p := range []string{"abcdefgh", "Password1!", "Demo@2023", "laiyuan123", "iew.il", "iew.il-iew.il", "       x", "woaini1314",
		"qwe123", "Aa123456", "Laiyuan2023!", "liwei19900101", "LiWei@2023", "河北涞源经济开发区1", "chaincrm2023", "qwertyuiop[]",
		"1qaz2wsx3edc", "zxcvbnm,./", "abcd1234abcd", "Xk9#mQ2!", "我爱我爱我爱我爱"} {
		msg := repository.CheckPasswordPolicy(p, pc)
		if msg == "" || !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("%q: %q", p, msg)
		}
	}
	for _, p := range []string{"cloud ferry lantern orchard", "黄河远上白云间一片孤城", "x7Gq#p2Lr9vK", "Laiyuan-招商-2023-秋收", "Harbour-lantern-kite-52"} {
		if msg := repository.CheckPasswordPolicy(p, pc); msg != "" {
			t.Errorf("%q refused: %s", p, msg)
		}
	}
}

// A production install never comes up with a known password: an empty database gets one
// zone and an administrator with a generated password, to be changed at the first log-in.
func TestSecurityAuthFirstZone(t *testing.T) {
	for _, driver := range dbtest.Drivers() {
		t.Run(driver, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := dbtest.Migrated(t, driver, repository.Options{PasswordCost: bcrypt.MinCost})
			e, err := repository.NewEnforcer(db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateFirstZone(ctx, "main", "经济开发区", "Asia/Shanghai", "Demo@2023", e); err == nil || !strings.Contains(err.Error(), "CHAINCRM_ADMIN_PASSWORD") {
				t.Errorf("a known password is taken: %v", err)
			}
			run, err := db.CreateFirstZone(ctx, "main", "经济开发区", "Asia/Shanghai", "", e)
			if err != nil {
				t.Fatal(err)
			}
			if !run.Generated || len(run.Password) != 16 || repository.CheckPasswordPolicy(run.Password, domain.PasswordContext{Username: "admin"}) != "" {
				t.Errorf("generated password %q", run.Password)
			}
			accounts := repository.NewAccountService(db, e)
			u, zone, err := accounts.Authenticate(ctx, "main", "admin", run.Password)
			if err != nil || !u.MustChangePassword || !u.HasRole(domain.RoleAdmin) || zone.Name != "经济开发区" {
				t.Fatalf("first administrator: %+v %+v %v", u, zone, err)
			}
			if _, _, err := accounts.Authenticate(ctx, "main", "admin", "Demo@2023"); err == nil {
				t.Error("the demo password works")
			}
			if again, err := db.CreateFirstZone(ctx, "other", "别的开发区", "Asia/Shanghai", "", e); again != nil || err != nil {
				t.Errorf("a second first run: %+v %v", again, err)
			}
			// changing the password lifts the obligation
			actx := domain.WithActor(ctx, &domain.Actor{User: u, Zone: zone})
			if err := accounts.ChangePassword(actx, run.Password, "Harbour-lantern-kite-52"); err != nil {
				t.Fatal(err)
			}
			if u, _, err := accounts.Authenticate(ctx, "main", "admin", "Harbour-lantern-kite-52"); err != nil || u.MustChangePassword {
				t.Errorf("after the change: %+v %v", u, err)
			}
		})
	}
}
