package bot

import (
	"errors"
	"fmt"
)

// Error codes. Transports and commands map them to their own words; only
// EINTERNAL is logged as a fault.
const (
	EINVALID  = "invalid"
	ENOTFOUND = "not_found"
	ECONFLICT = "conflict"
	EEXPIRED  = "expired"
	EUSEDUP   = "used_up"
	EREVOKED  = "revoked"
	// EFORBIDDEN: the caller may not do this (role, area, agency).
	EFORBIDDEN = "forbidden"
	// ERETIRED: the area is retired and takes no new reports or invites.
	ERETIRED = "retired"
	// ENOTGROUP: a leader's invite names an area with groups inside it.
	ENOTGROUP = "not_group"
	EINTERNAL = "internal"
)

// Error is an application error with a machine code.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// IsNotFound reports whether err carries ENOTFOUND.
func IsNotFound(err error) bool { return ErrorCode(err) == ENOTFOUND }
