package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestZoneAndProvinceUserCommands: `zone create` adds a zone whose administrator logs in with
// the password printed once and must change it first; `user create --role province` adds a
// user who logs in with no zone; bad input is refused naming the flag.
func TestZoneAndProvinceUserCommands(t *testing.T) {
	dir := t.TempDir()
	if _, err := runJobsCmd(t, dir, "seed", "--demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := runJobsCmd(t, dir, "zone", "create", "xiongan", "--name", "雄安新区开发区", "--chains", "food,steel"); err == nil ||
		!strings.Contains(err.Error(), "--chains") || !strings.Contains(err.Error(), "steel") {
		t.Errorf("an unknown chain: %v", err)
	}
	if _, err := runJobsCmd(t, dir, "zone", "create", "xiongan", "--name", "雄安新区开发区", "--template", "hebei"); err == nil ||
		!strings.Contains(err.Error(), "--template") {
		t.Errorf("an unknown template: %v", err)
	}
	out, err := runJobsCmd(t, dir, "zone", "create", "xiongan", "--name", "雄安新区开发区", "--chains", "food,semiconductor")
	if err != nil || !strings.Contains(out, "产业链 chains: food, semiconductor") {
		t.Fatalf("zone create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`初始密码 first password: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, `"zone": "xiongan"`) || !strings.Contains(out, "首次登录后必须修改") {
		t.Fatalf("zone create printed:\n%s", out)
	}
	adminPassword := m[1]
	if _, err := runJobsCmd(t, dir, "zone", "create", "xiongan", "--name", "again"); err == nil || !strings.Contains(err.Error(), "--code") {
		t.Errorf("the same code again: %v", err)
	}
	if _, err := runJobsCmd(t, dir, "zone", "create", "platform", "--name", "x"); err == nil {
		t.Error("the reserved code platform was taken")
	}
	if _, err := runJobsCmd(t, dir, "user", "create", "sheng", "--role", "province", "--zones", "laiyuan,xiongan", "--password", "abcdefgh"); err == nil ||
		!strings.Contains(err.Error(), "--password") {
		t.Errorf("a weak password: %v", err)
	}
	if _, err := runJobsCmd(t, dir, "user", "create", "sheng", "--role", "province", "--zones", "nowhere", "--password", "cloud ferry lantern orchard"); err == nil ||
		!strings.Contains(err.Error(), "nowhere") {
		t.Errorf("an unknown zone: %v", err)
	}
	if _, err := runJobsCmd(t, dir, "user", "create", "sheng", "--role", "viewer", "--zones", "laiyuan", "--password", "cloud ferry lantern orchard"); err == nil {
		t.Error("a zone role made on the command line")
	}
	out, err = runJobsCmd(t, dir, "user", "create", "sheng", "--role", "province", "--zones", "laiyuan,xiongan", "--password", "cloud ferry lantern orchard")
	if err != nil {
		t.Fatalf("user create: %v\n%s", err, out)
	}

	if out, err := runJobsCmd(t, dir, "user", "create", "pingtai", "--role", "platform_admin", "--password", "cloud ferry lantern orchard"); err != nil ||
		!strings.Contains(out, "平台管理员") {
		t.Fatalf("platform admin: %v\n%s", err, out)
	}
	if _, err := runJobsCmd(t, dir, "user", "create", "pt2", "--role", "platform_admin", "--zones", "laiyuan", "--password", "cloud ferry lantern orchard"); err == nil ||
		!strings.Contains(err.Error(), "--zones") {
		t.Errorf("a platform admin with zones: %v", err)
	}

	addr, _, stop := startServe(t, dir)
	defer stop()
	status, body := loginStatus(t, addr, "sheng", "cloud ferry lantern orchard")
	user, _ := body["user"].(map[string]any)
	if status != 200 || user == nil || user["zone"].(map[string]any)["code"] != "platform" {
		t.Fatalf("province log-in: %d %v", status, body)
	}
	if status, _ := loginStatus(t, addr, "director", "Demo@2023"); status != 200 {
		t.Errorf("the default zone's log-in: %d", status)
	}
	// the new zone's administrator, with the printed password and the zone
	if status, body := loginZone(t, addr, "xiongan", "admin", adminPassword); status != 200 || body["user"].(map[string]any)["must_change_password"] != true {
		t.Errorf("xiongan admin: %d %v", status, body)
	}
}

func loginZone(t *testing.T, addr, zone, username, password string) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"zone": zone, "username": username, "password": password})
	r, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	return r.StatusCode, body
}
