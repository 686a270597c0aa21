package api

import (
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
	"github.com/laiyuan-edz/chaincrm/frontend"
)

const placeholderPage = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>chaincrm 招商引资管理系统</title></head>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.6">
<h1>chaincrm 招商引资管理系统</h1>
<p>服务已启动，但网页前端尚未构建进本程序。请在项目目录运行 <code>make run</code>（会用 npm 构建前端）。</p>
<p>The API is up at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>; the web app is not built into this binary yet — run <code>make run</code>.</p>
</body></html>`

// spa serves the embedded web app: files as they are (hashed assets cached for a year),
// and index.html for every other GET outside /api, so that deep links work.
func (s *Server) spa() {
	s.static = frontend.FS()
}

func (s *Server) noRoute(c *gin.Context) {
	p := c.Request.URL.Path
	if strings.HasPrefix(p, "/api/") || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		Abort(c, domain.Errorf(domain.ENOTFOUND, "没有这个接口 (no such endpoint)"))
		return
	}
	if _, err := fs.Stat(s.static, "index.html"); err != nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(placeholderPage))
		return
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.static, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				c.Header("Cache-Control", "no-cache")
			}
			// scripts and styles gzipped once and kept (all of them: 2.2 MB → 0.73 MB on the
			// wire); a range request, or a file that does not compress, as the file server does
			if isCompressible(name) && c.GetHeader("Range") == "" {
				b, err := s.staticGz.get(name, func() ([]byte, error) { return fs.ReadFile(s.static, name) })
				if err != nil {
					Abort(c, err)
					return
				}
				b.write(c, http.StatusOK, contentTypeOf(name))
				return
			}
			c.FileFromFS(name, http.FS(s.static))
			return
		}
		if path.Ext(name) != "" && strings.HasPrefix(name, "assets/") {
			Abort(c, domain.Errorf(domain.ENOTFOUND, "文件不存在 (not found)"))
			return
		}
	}
	index, err := s.staticGz.get("index.html", func() ([]byte, error) { return fs.ReadFile(s.static, "index.html") })
	if err != nil {
		Abort(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	index.write(c, http.StatusOK, "text/html; charset=utf-8")
}

// contentTypeOf names a web app file's type by its extension (text types in UTF-8).
func contentTypeOf(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		if strings.HasPrefix(t, "text/") || strings.Contains(t, "javascript") || strings.Contains(t, "json") || strings.Contains(t, "svg") {
			if !strings.Contains(t, "charset") {
				t += "; charset=utf-8"
			}
		}
		return t
	}
	return "application/octet-stream"
}
