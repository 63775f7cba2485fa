package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
)

// Zou's fixed error sentences, kept in one place so every route answers alike.
const (
	MsgNotFound     = "404 Not Found: The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again."
	MsgForbidden    = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server."
	MsgMalformedID  = "Malformed ID."
	MsgMethod       = "The method is not allowed for the requested URL."
	MsgInternal     = "Internal server error."
	MsgEmptyBody    = "Data are empty. Please verify that you sent JSON data and that you set the right headers."
	MsgContentType  = "Did not attempt to load JSON data because the request Content-Type was not 'application/json'."
	MsgTooLarge     = "The data value transmitted exceeds the capacity limit."
	MsgUnique       = "A record with the same unique values already exists."
	MsgForeignKey   = "The change conflicts with records referencing this one."
	MsgMissingRef   = "The row this refers to does not exist: "
	MsgNotNull      = "A required field is missing."
	MsgIntegrity    = "The data conflicts with database integrity rules."
	MsgInvalidValue = "One of the provided values has an invalid format."
)

// Error is an error that knows the HTTP status and the JSON body Zou answers with.
type Error struct {
	Status int
	Body   gin.H
	Cause  error // logged, never sent
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%d %v: %v", e.Status, e.Body["message"], e.Cause)
	}
	return fmt.Sprintf("%d %v", e.Status, e.Body["message"])
}

func (e *Error) Unwrap() error { return e.Cause }

// BadRequest is Zou's WrongParameterException: 400 {"error": true, "message", "data": null}.
func BadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Body: gin.H{"error": true, "message": msg, "data": nil}}
}

// BadRequestData is BadRequest with a data payload.
func BadRequestData(msg string, data any) *Error {
	return &Error{Status: http.StatusBadRequest, Body: gin.H{"error": true, "message": msg, "data": data}}
}

// Plain400 is the CRUD database-error shape: 400 {"message"} without the error key.
func Plain400(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Body: gin.H{"message": msg}}
}

// Status builds an error with Zou's {"error": true, "message"} body and any status.
func Status(status int, msg string) *Error {
	return &Error{Status: status, Body: gin.H{"error": true, "message": msg}}
}

// NotFound is Zou's 404 body.
func NotFound() *Error { return Status(http.StatusNotFound, MsgNotFound) }

// Forbidden is Zou's 403 body.
func Forbidden() *Error { return Status(http.StatusForbidden, MsgForbidden) }

// MalformedID is the 400 answered for an id that is not a UUID.
func MalformedID() *Error { return BadRequest(MsgMalformedID) }

// Raw answers an arbitrary body with a status (auth routes use bodies like {"login": false}).
func Raw(status int, body gin.H) *Error { return &Error{Status: status, Body: body} }

// FromDB maps a database error to the sanitised 400 Zou answers on CRUD writes;
// anything it does not recognise stays an internal error.
func FromDB(err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{Status: http.StatusNotFound, Body: NotFound().Body, Cause: err}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == "23505":
			return &Error{Status: 400, Body: gin.H{"message": MsgUnique}, Cause: err}
		case pg.Code == "23503":
			// A write naming a row that does not exist, or a delete of a row
			// others still point at: PostgreSQL's detail tells which.
			if col := keyColumn(pg.Detail); col != "" && strings.Contains(pg.Detail, "is not present in table") {
				return &Error{Status: 400, Body: gin.H{"message": MsgMissingRef + col + "."}, Cause: err}
			}
			return &Error{Status: 400, Body: gin.H{"message": MsgForeignKey}, Cause: err}
		case pg.Code == "23502":
			return &Error{Status: 400, Body: gin.H{"message": NotNullMessage(pg.ColumnName)}, Cause: err}
		case pg.Code[:2] == "23":
			return &Error{Status: 400, Body: gin.H{"message": MsgIntegrity}, Cause: err}
		case pg.Code[:2] == "22": // data exceptions: bad casts, too long, out of range
			return &Error{Status: 400, Body: gin.H{"message": MsgInvalidValue}, Cause: err}
		}
	}
	return err
}

// NotNullMessage is the 400 sentence for a missing required value, naming
// the field when it is known.
func NotNullMessage(field string) string {
	if field == "" {
		return MsgNotNull
	}
	return strings.TrimSuffix(MsgNotNull, ".") + ": " + field + "."
}

// keyColumn reads the column of a PostgreSQL key detail ("Key (col)=(…) …").
func keyColumn(detail string) string {
	rest, ok := strings.CutPrefix(detail, "Key (")
	if !ok {
		return ""
	}
	col, _, ok := strings.Cut(rest, ")=")
	if !ok || strings.ContainsAny(col, ", ") {
		return ""
	}
	return col
}

// WriteError is the one place where an error becomes a status and Zou's body.
func WriteError(c *gin.Context, err error) {
	err = FromDB(err)
	var e *Error
	if !errors.As(err, &e) {
		if errors.Is(err, context.Canceled) {
			c.AbortWithStatus(499)
			return
		}
		slog.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"), "err", err)
		c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": true, "message": MsgInternal})
		return
	}
	if e.Status >= 500 || e.Cause != nil {
		slog.Warn("request refused", "status", e.Status, "method", c.Request.Method, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"), "err", e)
	} else {
		slog.Info("request refused", "status", e.Status, "method", c.Request.Method, "path", c.Request.URL.Path, "message", e.Body["message"])
	}
	c.AbortWithStatusJSON(e.Status, e.Body)
}

// LogWarn records a failure that does not change the answer (best-effort writes).
func LogWarn(what string, err error) { slog.Warn(what, "err", err) }
