package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/laiyuan-edz/chaincrm/domain"
)

// decodeJSON reads the request body into dst field by field, so that every bad field is
// reported by its JSON name (400 with fields) rather than the first one only. Unknown
// fields are ignored; a body past the size limit is 413.
func decodeJSON(c *gin.Context, dst any) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return domain.Errorf(domain.ETOOLARGE, "请求内容过大（上限 %d 字节）(request too large)", mbe.Limit)
		}
		return domain.Errorf(domain.EINVALID, "无法读取请求内容 (unreadable body)")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &domain.Error{Code: domain.EINVALID, Message: "请求内容为空，应为 JSON 对象 (empty body)"}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return &domain.Error{Code: domain.EINVALID, Message: "请求内容不是有效的 JSON 对象 (malformed JSON)"}
	}
	fe := domain.FieldErrors{}
	v := reflect.ValueOf(dst).Elem()
	fields := jsonFields(v.Type())
	for name, msg := range raw {
		idx, ok := fields[name]
		if !ok {
			continue
		}
		fv := v.FieldByIndex(idx)
		if fv.Kind() == reflect.Pointer && string(bytes.TrimSpace(msg)) == "null" {
			// null on an optional field means "clear it": a pointer to the zero value.
			fv.Set(reflect.New(fv.Type().Elem()))
			continue
		}
		target := reflect.New(fv.Type())
		if err := json.Unmarshal(msg, target.Interface()); err != nil {
			fe.Add(name, fieldMessage(err))
			continue
		}
		fv.Set(target.Elem())
	}
	// The limits every write obeys, on every JSON body (the services check them again).
	domain.CheckLimits(fe, dst)
	return fe.Err()
}

func fieldMessage(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "类型不对，应为 " + jsonKind(te.Type) + " (wrong type)"
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json:") {
		return "格式不对 (malformed value)"
	}
	return msg
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "文本"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "数字"
	case reflect.Bool:
		return "true/false"
	case reflect.Slice:
		return "数组"
	case reflect.Struct, reflect.Map:
		return "对象"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// jsonFields maps JSON names to struct field indexes, including embedded structs.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			for k, idx := range jsonFields(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = []int{i}
	}
	return out
}
