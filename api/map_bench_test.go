package api_test

import (
	"net/http"
	"testing"

	"github.com/laiyuan-edz/chaincrm/api/apitest"
	"github.com/laiyuan-edz/chaincrm/repository/dbtest"
)

// The chain map endpoints at the size (500 nodes, 5 000 enterprises, 2 000
// projects), over HTTP as the director:
//
//	go test -run '^$' -bench MapEndpoint -benchtime 20x ./api/
//
// cold = the first request after a change (stamp read, load, build, render), the change
// itself (one UPDATE) outside the timing; warm = the same map asked again, served from the
// map cache after the stamp check. json and svg are GET /chains/big/map and map.svg.
func BenchmarkMapEndpoint(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a 500-node chain in the database; skipped under -short")
	}
	for _, driver := range dbtest.Drivers() {
		b.Run(driver, func(b *testing.B) {
			e := apitest.New(b, driver)
			dbtest.AddBigChain(b, e.DB, 500, 5000, 2000)
			token := e.Token("director")
			get := func(path string) int {
				r := e.Do(http.MethodGet, path, token, nil)
				if r.Status != http.StatusOK {
					b.Fatalf("%s: %d %s", path, r.Status, r.Body)
				}
				return len(r.Body)
			}
			order := 0
			touch := func() { // a committed write the map depends on
				order++
				if err := e.DB.Gorm().Exec("UPDATE chains SET sort_order = ? WHERE code = 'big'", 100+order%2).Error; err != nil {
					b.Fatal(err)
				}
			}
			for _, c := range []struct{ name, path string }{
				{"json", "/api/v1/chains/big/map"},
				{"svg", "/api/v1/chains/big/map.svg"},
			} {
				b.Run(c.name+"/cold", func(b *testing.B) {
					for b.Loop() {
						b.StopTimer()
						touch()
						b.StartTimer()
						b.SetBytes(int64(get(c.path)))
					}
				})
				b.Run(c.name+"/warm", func(b *testing.B) {
					get(c.path)
					for b.Loop() {
						b.SetBytes(int64(get(c.path)))
					}
				})
			}
		})
	}
}
