package configs

import (
	"fmt"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	c, err := Load("", false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TrustedProxyList(); len(got) != 0 {
		t.Errorf("default trusts %v", got)
	}
	c, err = Load("", false, []string{"CHAINCRM_HTTP_TRUSTED_PROXIES= 127.0.0.1, 10.0.0.0/8 ,::1"})
	if err != nil || fmt.Sprint(c.TrustedProxyList()) != "[127.0.0.1 10.0.0.0/8 ::1]" {
		t.Errorf("list: %v %v", c.TrustedProxyList(), err)
	}
	if _, err := Load("", false, []string{"CHAINCRM_HTTP_TRUSTED_PROXIES=localhost"}); err == nil {
		t.Error("a name is accepted as a proxy address")
	}
}
