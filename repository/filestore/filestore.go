// Package filestore keeps the bytes of attachments in a local directory, content-addressed
// by SHA-256 (the shape of gitea's modules/storage: one small interface, domain.FileStore,
// with the local directory as its first implementation and an object store as a later one).
//
// Layout under the root directory:
//
//	tmp/upload-*            staging: an upload being streamed and hashed
//	ab/cd/abcd…(64 hex)     a stored file, named by its SHA-256
//	thumbs/ab/abcd….jpg     its thumbnail (images only), made on first request
//
// An upload is streamed to a staging file through the hash (memory stays flat whatever its
// size), judged by its content, and renamed to its address only when the database row that
// names it is written; a refused upload leaves nothing behind. Renames within one directory
// tree are atomic, so a reader never sees half a file, and the same bytes uploaded twice
// are stored once.
package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // decodes WebP for thumbnails

	"github.com/laiyuan-edz/chaincrm/domain"
)

// MaxThumbnailPixels bounds the images a thumbnail is made of (decoding takes 4 bytes a
// pixel): 50 megapixels, more than any phone camera.
const MaxThumbnailPixels = 50_000_000

// Local is a FileStore in a directory of the local file system.
type Local struct {
	root string

	mu     sync.Mutex
	making map[string]*sync.Mutex // thumbnails being made, one maker per file
}

var _ domain.FileStore = (*Local)(nil)

// Open returns the store rooted at dir, creating it.
func Open(dir string) (*Local, error) {
	if dir == "" {
		return nil, errors.New("filestore: no directory")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, d := range []string{abs, filepath.Join(abs, "tmp"), filepath.Join(abs, "thumbs")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return nil, fmt.Errorf("filestore: %w", err)
		}
	}
	// staging files a crashed process left behind (a live upload is minutes old at most)
	if entries, err := os.ReadDir(filepath.Join(abs, "tmp")); err == nil {
		for _, e := range entries {
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				os.Remove(filepath.Join(abs, "tmp", e.Name()))
			}
		}
	}
	return &Local{root: abs, making: map[string]*sync.Mutex{}}, nil
}

// Root is the store's directory.
func (l *Local) Root() string { return l.root }

var hexName = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (l *Local) path(sum string) (string, error) {
	if !hexName.MatchString(sum) {
		return "", fmt.Errorf("filestore: bad address %q", sum)
	}
	return filepath.Join(l.root, sum[:2], sum[2:4], sum), nil
}

// staged is an upload in tmp/.
type staged struct {
	path, sum, ctype string
	size             int64
	once             sync.Once
}

func (s *staged) SHA256() string      { return s.sum }
func (s *staged) Size() int64         { return s.size }
func (s *staged) ContentType() string { return s.ctype }
func (s *staged) Discard() error {
	var err error
	s.once.Do(func() {
		if e := os.Remove(s.path); e != nil && !errors.Is(e, fs.ErrNotExist) {
			err = e
		}
	})
	return err
}

// Stage streams r to a staging file through SHA-256, at most max bytes, and sniffs it.
func (l *Local) Stage(ctx context.Context, r io.Reader, max int64) (domain.StagedFile, error) {
	f, err := os.CreateTemp(filepath.Join(l.root, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	s := &staged{path: f.Name()}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			s.Discard()
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(&ctxReader{ctx: ctx, r: r}, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) { // the request's own limit
			return nil, tooLarge(max)
		}
		return nil, err
	}
	if n > max {
		return nil, tooLarge(max)
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	ctype, err := domain.SniffFileType(f, n)
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	s.sum, s.size, s.ctype = hex.EncodeToString(h.Sum(nil)), n, ctype
	ok = true
	return s, nil
}

func tooLarge(max int64) error {
	msg := fmt.Sprintf("文件过大，最大 %.0f MB (file larger than %d bytes)", float64(max)/(1<<20), max)
	return &domain.Error{Code: domain.ETOOLARGE, Message: msg, Fields: map[string]string{"file": msg}}
}

// ctxReader stops a copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Commit renames a staged file to its address.
func (l *Local) Commit(ctx context.Context, f domain.StagedFile) error {
	s, ok := f.(*staged)
	if !ok {
		return errors.New("filestore: not a staged file of this store")
	}
	dst, err := l.path(s.sum)
	if err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return s.Discard() // the same bytes are stored already
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	if err := os.Rename(s.path, dst); err != nil {
		return err
	}
	s.once.Do(func() {}) // nothing left to discard
	return nil
}

// Open opens a stored file.
func (l *Local) Open(ctx context.Context, sum string) (domain.ReadSeekCloser, error) {
	p, err := l.path(sum)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, domain.Errorf(domain.ENOTFOUND, "文件不存在 (file missing from the store)")
	}
	return f, err
}

// Exists reports whether a file is stored.
func (l *Local) Exists(ctx context.Context, sum string) (bool, error) {
	p, err := l.path(sum)
	if err != nil {
		return false, err
	}
	_, err = os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Remove deletes a stored file and its thumbnail.
func (l *Local) Remove(ctx context.Context, sum string) error {
	p, err := l.path(sum)
	if err != nil {
		return err
	}
	for _, q := range []string{p, l.thumbPath(sum, ".jpg"), l.thumbPath(sum, ".png")} {
		if err := os.Remove(q); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (l *Local) thumbPath(sum, ext string) string {
	return filepath.Join(l.root, "thumbs", sum[:2], sum+ext)
}

// Thumbnail returns the image's thumbnail, making it on first request: the longest side at
// most 320 px, turned upright by the EXIF orientation; JPEG, or PNG for PNG and WebP images
// (which may be transparent).
func (l *Local) Thumbnail(ctx context.Context, sum, contentType string) (domain.ReadSeekCloser, string, error) {
	if !domain.IsImageType(contentType) {
		return nil, "", domain.Errorf(domain.ENOTFOUND, "只有图片有缩略图 (thumbnails are for images)")
	}
	if _, err := l.path(sum); err != nil {
		return nil, "", err
	}
	ext, outType := ".jpg", domain.TypeJPEG
	if contentType != domain.TypeJPEG {
		ext, outType = ".png", domain.TypePNG
	}
	dst := l.thumbPath(sum, ext)
	if f, err := os.Open(dst); err == nil {
		return f, outType, nil
	}
	// one maker per file; the others wait and then read what it made
	l.mu.Lock()
	m := l.making[sum]
	if m == nil {
		m = &sync.Mutex{}
		l.making[sum] = m
	}
	l.mu.Unlock()
	m.Lock()
	defer func() {
		m.Unlock()
		l.mu.Lock()
		delete(l.making, sum)
		l.mu.Unlock()
	}()
	if f, err := os.Open(dst); err == nil {
		return f, outType, nil
	}
	if err := l.makeThumbnail(ctx, sum, dst, outType); err != nil {
		return nil, "", err
	}
	f, err := os.Open(dst)
	return f, outType, err
}

func (l *Local) makeThumbnail(ctx context.Context, sum, dst, outType string) error {
	src, err := l.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer src.Close()
	cfg, _, err := image.DecodeConfig(src)
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "图片无法解码，没有缩略图 (the image cannot be decoded)")
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxThumbnailPixels {
		return domain.Errorf(domain.ENOTFOUND, "图片太大，没有缩略图 (image too large for a thumbnail)")
	}
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	img, err := imaging.Decode(src, imaging.AutoOrientation(true))
	if err != nil {
		return domain.Errorf(domain.ENOTFOUND, "图片无法解码，没有缩略图 (the image cannot be decoded)")
	}
	if b := img.Bounds(); b.Dx() > domain.ThumbnailMaxSide || b.Dy() > domain.ThumbnailMaxSide {
		img = imaging.Fit(img, domain.ThumbnailMaxSide, domain.ThumbnailMaxSide, imaging.Lanczos)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Join(l.root, "tmp"), "thumb-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if outType == domain.TypeJPEG {
		err = jpeg.Encode(tmp, img, &jpeg.Options{Quality: 82})
	} else {
		err = png.Encode(tmp, img)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
