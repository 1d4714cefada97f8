package adapt

import (
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is what every call returns when the server answers with a status other than OK: the gRPC code and
// the server's message (which says what to fix). Test it with errors.As, or with Code(err).
type Error struct {
	Code    codes.Code
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", CodeName(e.Code), e.Message) }

// GRPCStatus lets status.FromError and status.Code see the original code.
func (e *Error) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// CodeName is the canonical name of a code: "NOT_FOUND", "INVALID_ARGUMENT", ...
func CodeName(c codes.Code) string {
	names := map[codes.Code]string{
		codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN",
		codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
		codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
		codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED", codes.OutOfRange: "OUT_OF_RANGE",
		codes.Unimplemented: "UNIMPLEMENTED", codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE",
		codes.DataLoss: "DATA_LOSS", codes.Unauthenticated: "UNAUTHENTICATED",
	}
	if name, ok := names[c]; ok {
		return name
	}
	return fmt.Sprintf("CODE_%d", uint32(c))
}

// Code is the gRPC code of err: codes.OK for nil, codes.Unknown for errors that are not gRPC statuses.
func Code(err error) codes.Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return status.Code(err)
}

// IsNotFound reports whether err is a NOT_FOUND answer (an unknown model, dataset, ...).
func IsNotFound(err error) bool { return Code(err) == codes.NotFound }

// wrap turns a gRPC status error into *Error (nil and other errors pass through).
func wrap(err error) error {
	if err == nil {
		return nil
	}
	if s, ok := status.FromError(err); ok {
		return &Error{Code: s.Code(), Message: s.Message()}
	}
	return err
}

// JobError: Wait saw the resource end FAILED (Code is the server's reason) or CANCELLED (codes.Canceled).
type JobError struct {
	ResourceID string
	State      string
	Code       codes.Code
	Message    string
}

func (e *JobError) Error() string {
	return fmt.Sprintf("%s ended %s: %s: %s", e.ResourceID, e.State, CodeName(e.Code), e.Message)
}
